"""The programs API: each resource scoped per role, 404 outside, flat query counts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import User
from programs import models as m
from tests.cast import Cast
from tests.clients import api_for
from tests.queries import assert_flat_queries

from .factories import (
    AssignmentFactory,
    BudgetLineFactory,
    CourseFactory,
    ExpenditureFactory,
    OrganizationFactory,
    PlacementFactory,
    PlanFactory,
    ProgressLogFactory,
    StudentFactory,
    TutorFactory,
)

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    "organization",
    "program",
    "program-partner",
    "course",
    "tutor",
    "student",
    "training-plan",
    "milestone",
    "placement",
    "project",
    "progress-log",
    "case-log",
    "budget-line",
    "expenditure",
]


def ids(api: APIClient, name: str, **params: Any) -> set[int]:
    response = api.get(reverse(f"api:{name}-list"), params)
    assert response.status_code == 200, response.data
    return {row["id"] for row in response.data["results"]}


@pytest.mark.parametrize("name", ENDPOINTS)
def test_anonymous_callers_get_401_everywhere(name: str) -> None:
    assert api_for(None).get(reverse(f"api:{name}-list")).status_code == 401


@pytest.mark.parametrize("name", [n for n in ENDPOINTS if n not in ("organization", "course")])
def test_an_outsider_lists_nothing(name: str, cast: Cast, outsider: User) -> None:
    assert ids(api_for(outsider), name) == set()


def test_a_student_reads_only_their_own_plan_and_another_students_plan_is_a_404(cast: Cast) -> None:
    mine = PlanFactory(student=cast.student)
    theirs = PlanFactory(student=cast.other_student)
    api = api_for(cast.student.user)
    assert ids(api, "training-plan") == {mine.pk}
    assert api.get(reverse("api:training-plan-detail", args=[theirs.pk])).status_code == 404
    assert api.get(reverse("api:training-plan-detail", args=[mine.pk])).status_code == 200


def test_a_tutor_reads_only_their_students(cast: Cast) -> None:
    assert ids(api_for(cast.tutor.user), "student") == {cast.student.pk}
    response = api_for(cast.tutor.user).get(
        reverse("api:student-detail", args=[cast.other_student.pk])
    )
    assert response.status_code == 404


def test_a_coordinator_reads_their_organisations_placements_and_fund_lines(cast: Cast) -> None:
    other_placement = PlacementFactory(student=cast.other_student, host=cast.other_hospital)
    line = BudgetLineFactory(program=cast.program, holder=cast.hospital)
    other_line = BudgetLineFactory(program=cast.program, holder=cast.other_hospital)
    api = api_for(cast.coordinator)
    assert ids(api, "placement") == {cast.placement.pk}
    assert ids(api, "budget-line") == {line.pk}
    assert api.get(reverse("api:placement-detail", args=[other_placement.pk])).status_code == 404
    assert api.get(reverse("api:budget-line-detail", args=[other_line.pk])).status_code == 404


def test_private_progress_logs_stay_with_the_tutors(cast: Cast) -> None:
    shared = ProgressLogFactory(student=cast.student, author=cast.tutor.user, shared=True)
    private = ProgressLogFactory(student=cast.student, author=cast.tutor.user, shared=False)
    assert ids(api_for(cast.student.user), "progress-log") == {shared.pk}
    assert ids(api_for(cast.tutor.user), "progress-log") == {shared.pk, private.pk}


def test_lists_filter_and_order(cast: Cast) -> None:
    api = api_for(cast.program_admin)
    assert ids(api, "student", cohort=cast.student.cohort) == {
        cast.student.pk,
        cast.other_student.pk,
    }
    response = api.get(reverse("api:student-list"), {"ordering": "-student_number"})
    numbers = [row["student_number"] for row in response.data["results"]]
    assert numbers == sorted(numbers, reverse=True)
    assert response.data["results"][0]["tutors"]


def test_the_program_detail_shows_the_four_elements(cast: Cast) -> None:
    data = (
        api_for(cast.program_admin).get(reverse("api:program-detail", args=[cast.program.pk])).data
    )
    assert {"objectives", "stages", "milestone_templates", "curriculum", "quality_criteria"} <= set(
        data
    )


def test_budget_lines_report_their_spending_in_decimal(cast: Cast) -> None:
    line = BudgetLineFactory(program=cast.program, holder=cast.hospital)
    ExpenditureFactory(
        line=line,
        status="approved",
        approved_by=cast.program_admin,
        decided_at="2026-03-02T10:00:00Z",
        amount="1234.56",
    )
    row = api_for(cast.program_admin).get(reverse("api:budget-line-detail", args=[line.pk])).data
    assert row["approved_total"] == "1234.56"


# Query counts: the same for 1 and for 50 objects.
def _grow(cast: Cast) -> Callable[[], None]:
    def grow() -> None:
        for _ in range(49):
            student = StudentFactory(program=cast.program)
            PlanFactory(student=student)
            ProgressLogFactory(student=student, author=cast.tutor.user)
            PlacementFactory(student=student, host=cast.hospital)
            line = BudgetLineFactory(program=cast.program, holder=cast.hospital)
            ExpenditureFactory(line=line)
            CourseFactory()

    return grow


@pytest.mark.parametrize("name", ENDPOINTS)
def test_list_query_counts_do_not_grow_with_the_data(name: str, cast: Cast) -> None:
    PlanFactory(student=cast.student)
    ProgressLogFactory(student=cast.student, author=cast.tutor.user)
    ExpenditureFactory(line=BudgetLineFactory(program=cast.program, holder=cast.hospital))
    CourseFactory()
    api = api_for(cast.program_admin)
    url = reverse(f"api:{name}-list")
    assert_flat_queries(lambda: api.get(url, {"page_size": 100}), _grow(cast), max_queries=10)


# Detail query counts: the same whether a record has 1 or 50 children.
def _one_of_each(cast: Cast) -> dict[str, Any]:
    """One record per endpoint, all about the cast's program and student."""
    plan = PlanFactory(student=cast.student)
    line = BudgetLineFactory(program=cast.program, holder=cast.hospital)
    project = m.Project.objects.create(
        program=cast.program,
        title="Low-dose CT",
        kind="research",
        size="small",
        lead_organization=cast.program.lead_university,
    )
    course = CourseFactory()
    m.ProgramCourse.objects.create(
        program=cast.program, course=course, requirement="required", semester=1
    )
    partner = m.ProgramPartner.objects.create(
        program=cast.program, organization=cast.hospital, agreement_start=dt.date(2025, 9, 1)
    )
    return {
        "organization": cast.hospital,
        "program": cast.program,
        "program-partner": partner,
        "course": course,
        "tutor": cast.tutor,
        "student": cast.student,
        "training-plan": plan,
        "milestone": m.Milestone.objects.create(
            student=cast.student, kind="other", title="M", due_date=dt.date(2026, 9, 1)
        ),
        "placement": cast.placement,
        "project": project,
        "progress-log": ProgressLogFactory(student=cast.student, author=cast.tutor.user),
        "case-log": m.CaseLog.objects.create(
            student=cast.student,
            date=dt.date(2026, 3, 1),
            modality="ct",
            procedure="Chest CT",
            count=2,
            role="observed",
            recorded_by=cast.student.user,
        ),
        "budget-line": line,
        "expenditure": ExpenditureFactory(line=line),
    }


def _grow_children(cast: Cast, records: dict[str, Any]) -> Callable[[], None]:
    def grow() -> None:
        program, plan = cast.program, records["training-plan"]
        project, partner = records["project"], records["program-partner"]
        for n in range(49):
            m.TrainingObjective.objects.create(
                program=program, order=100 + n, title=f"O{n}", description="Measured."
            )
            stage = m.Stage.objects.create(
                program=program, order=100 + n, kind="other", title=f"S{n}", expected_months=1
            )
            m.MilestoneTemplate.objects.create(
                program=program, stage=stage, kind="other", title=f"T{n}", due_offset_days=n
            )
            course = CourseFactory()
            m.ProgramCourse.objects.create(
                program=program, course=course, requirement="elective", semester=2
            )
            course.teachers.add(cast.tutor.user)
            plan.courses.add(course)
            m.PartnerResponsibility.objects.get_or_create(
                partner=partner, responsibility=list(m.PartnerResponsibility.Kind)[n % 9]
            )
            project.partner_organizations.add(OrganizationFactory())
            m.ProjectOutput.objects.create(project=project, kind="paper", title=f"P{n}")
            member = StudentFactory(program=program)
            m.ProjectMember.objects.create(project=project, user=member.user)
            ExpenditureFactory(line=records["budget-line"])
            m.ProgressLogCorrection.objects.create(
                log=records["progress-log"], author=cast.tutor.user, text=f"C{n}"
            )
            TutorFactory(organization=cast.hospital)
            AssignmentFactory(student=member, tutor=cast.tutor)

    return grow


@pytest.mark.parametrize("name", ENDPOINTS)
def test_detail_query_counts_do_not_grow_with_the_children(name: str, cast: Cast) -> None:
    records = _one_of_each(cast)
    api = api_for(cast.program_admin)
    url = reverse(f"api:{name}-detail", args=[records[name].pk])
    assert_flat_queries(lambda: api.get(url), _grow_children(cast, records), max_queries=12)
