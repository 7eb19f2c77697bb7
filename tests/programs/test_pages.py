"""The programs pages: who gets which page, the actions done through them, flat query counts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.roles import Role
from programs import models as m
from tests.cast import Cast, matrix
from tests.clients import client_for
from tests.factories import UserFactory
from tests.queries import assert_flat_queries

from .factories import (
    AssignmentFactory,
    CourseFactory,
    PlanFactory,
    ProgressLogFactory,
    StudentFactory,
    TutorFactory,
    grant,
)

pytestmark = pytest.mark.django_db

Plan = m.TrainingPlan.Status


def member(cast: Cast, name: str) -> Any:
    """The user behind a cast member's name; None for the anonymous visitor."""
    if name == "anonymous":
        return None
    if name == "outsider":
        return UserFactory(email="oscar@example.org", full_name="Oscar Outsider")
    value = getattr(cast, name)
    return getattr(value, "user", value)


CAST = [
    "program_admin",
    "coordinator",
    "tutor",
    "practice_tutor",
    "student",
    "other_student",
    "outsider",
    "anonymous",
]


@pytest.mark.parametrize(
    ("who", "status"),
    matrix(
        CAST,
        program_admin=200,
        coordinator=200,  # hosts the student's placement
        tutor=200,
        practice_tutor=200,
        student=200,
        other_student=404,
        outsider=404,
        anonymous=302,
    ),
)
def test_student_page_by_role(cast: Cast, who: str, status: int) -> None:
    url = reverse("programs:student", args=[cast.student.pk])
    assert client_for(member(cast, who)).get(url).status_code == status


@pytest.mark.parametrize(
    ("who", "status"),
    matrix(
        CAST,
        program_admin=403,
        coordinator=403,
        tutor=200,
        practice_tutor=200,
        student=403,
        other_student=403,
        outsider=403,
        anonymous=302,
    ),
)
def test_my_students_by_role(cast: Cast, who: str, status: int) -> None:
    response = client_for(member(cast, who)).get(reverse("programs:my-students"))
    assert response.status_code == status


@pytest.mark.parametrize(
    ("who", "status"),
    matrix(
        CAST,
        program_admin=403,
        coordinator=403,
        tutor=403,
        practice_tutor=403,
        student=200,
        other_student=200,
        outsider=403,
        anonymous=302,
    ),
)
def test_my_plan_by_role(cast: Cast, who: str, status: int) -> None:
    response = client_for(member(cast, who)).get(reverse("programs:my-plan"))
    assert response.status_code == status


@pytest.mark.parametrize(
    ("who", "status"),
    matrix(
        CAST,
        program_admin=200,
        coordinator=200,  # the hospital hosts a placement but is no partner of the program
        tutor=200,
        practice_tutor=200,
        student=200,
        other_student=200,
        outsider=200,  # a list of records: what the user may see, here nothing
        anonymous=302,
    ),
)
def test_program_list_by_role(cast: Cast, who: str, status: int) -> None:
    response = client_for(member(cast, who)).get(reverse("programs:program-list"))
    assert response.status_code == status
    if status == 200:
        listed = [program.pk for program in response.context["programs"]]
        assert listed == ([] if who in ("coordinator", "outsider") else [cast.program.pk])


@pytest.mark.parametrize(
    ("who", "status"),
    matrix(
        CAST,
        program_admin=200,
        coordinator=404,
        tutor=200,
        practice_tutor=200,
        student=200,
        other_student=200,
        outsider=404,
        anonymous=302,
    ),
)
def test_program_detail_by_role(cast: Cast, who: str, status: int) -> None:
    url = reverse("programs:program-detail", args=[cast.program.pk])
    assert client_for(member(cast, who)).get(url).status_code == status


@pytest.mark.parametrize(
    ("who", "status"),
    matrix(
        CAST,
        program_admin=403,
        coordinator=200,
        tutor=403,
        practice_tutor=403,
        student=403,
        other_student=403,
        outsider=403,
        anonymous=302,
    ),
)
def test_placements_to_confirm_by_role(cast: Cast, who: str, status: int) -> None:
    response = client_for(member(cast, who)).get(reverse("programs:placements-to-confirm"))
    assert response.status_code == status


def test_the_navigation_offers_each_role_its_pages(cast: Cast) -> None:
    tutor_page = client_for(cast.tutor.user).get(reverse("core:home")).content.decode()
    assert reverse("programs:my-students") in tutor_page
    assert reverse("programs:my-plan") not in tutor_page
    student_page = client_for(cast.student.user).get(reverse("core:home")).content.decode()
    assert reverse("programs:my-plan") in student_page
    assert reverse("programs:my-students") not in student_page
    coordinator_page = client_for(cast.coordinator).get(reverse("core:home")).content.decode()
    assert reverse("programs:placements-to-confirm") in coordinator_page


def test_student_cannot_read_another_students_page(cast: Cast) -> None:
    url = reverse("programs:student", args=[cast.other_student.pk])
    assert client_for(cast.student.user).get(url).status_code == 404


def test_my_students_lists_the_tutors_current_students_only(cast: Cast) -> None:
    page = client_for(cast.tutor.user).get(reverse("programs:my-students")).content.decode()
    assert "Stan Student" in page and "Olga Other" not in page


# ---- Progress logs -------------------------------------------------------------------------


def _log_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "date": "2026-03-10",
        "kind": m.ProgressLog.Kind.MEETING,
        "minutes": "30",
        "summary": "Went through the CT protocol.",
        "shared": "on",
    }
    data.update(overrides)
    return data


def test_tutor_writes_a_progress_log_through_the_page(cast: Cast) -> None:
    url = reverse("programs:log-create", args=[cast.student.pk])
    response = client_for(cast.tutor.user).post(url, _log_data())
    assert response.status_code == 302
    assert response["Location"] == reverse("programs:student", args=[cast.student.pk])
    log = m.ProgressLog.objects.get(student=cast.student)
    assert log.author == cast.tutor.user and log.minutes == 30 and log.shared


def test_the_student_page_offers_tutors_the_log_form_only(cast: Cast) -> None:
    url = reverse("programs:student", args=[cast.student.pk])
    log_url = reverse("programs:log-create", args=[cast.student.pk])
    assert log_url in client_for(cast.tutor.user).get(url).content.decode()
    assert log_url not in client_for(cast.student.user).get(url).content.decode()
    assert log_url not in client_for(cast.program_admin).get(url).content.decode()


def test_an_invalid_log_is_shown_again_with_its_errors(cast: Cast) -> None:
    url = reverse("programs:log-create", args=[cast.student.pk])
    response = client_for(cast.tutor.user).post(url, _log_data(minutes="0", summary=""))
    assert response.status_code == 200
    assert response.context["log_form"].errors.keys() >= {"minutes", "summary"}
    assert not m.ProgressLog.objects.exists()


def test_a_service_refusal_of_a_log_is_a_form_error_not_a_500(cast: Cast) -> None:
    url = reverse("programs:log-create", args=[cast.student.pk])
    response = client_for(cast.tutor.user).post(url, _log_data(date="2999-01-01"))
    assert response.status_code == 200
    assert response.context["log_form"].errors
    assert not m.ProgressLog.objects.exists()


def test_who_may_not_write_a_log_gets_403_or_404(cast: Cast) -> None:
    url = reverse("programs:log-create", args=[cast.student.pk])
    assert client_for(cast.coordinator).post(url, _log_data()).status_code == 403
    assert client_for(cast.program_admin).post(url, _log_data()).status_code == 403
    assert client_for(cast.student.user).post(url, _log_data()).status_code == 403
    assert client_for(cast.other_student.user).post(url, _log_data()).status_code == 404
    assert not m.ProgressLog.objects.exists()


def test_student_acknowledges_a_shared_log(cast: Cast) -> None:
    log = ProgressLogFactory(student=cast.student, author=cast.tutor.user)
    page = client_for(cast.student.user).get(reverse("programs:my-plan")).content.decode()
    url = reverse("programs:log-acknowledge", args=[log.pk])
    assert url in page
    response = client_for(cast.student.user).post(url, {"comment": "Thanks"})
    assert response.status_code == 302
    log.refresh_from_db()
    assert log.acknowledged_at is not None and log.student_comment == "Thanks"


def test_only_the_student_acknowledges_and_unshared_logs_stay_hidden(cast: Cast) -> None:
    log = ProgressLogFactory(student=cast.student, author=cast.tutor.user)
    hidden = ProgressLogFactory(student=cast.student, author=cast.tutor.user, shared=False)
    url = reverse("programs:log-acknowledge", args=[log.pk])
    assert client_for(cast.tutor.user).post(url).status_code == 403
    assert client_for(cast.other_student.user).post(url).status_code == 404
    hidden_url = reverse("programs:log-acknowledge", args=[hidden.pk])
    assert client_for(cast.student.user).post(hidden_url).status_code == 404


# ---- The plan workflow ---------------------------------------------------------------------


def _plan_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "career_goal": m.TrainingPlan.CareerGoal.CLINICAL,
        "personal_objectives": "Read CT and MR independently.",
        "planned_placements": "",
        "planned_projects": "",
        "target_ct": "200",
    }
    data.update(overrides)
    return data


def _transition(client: Client, plan: m.TrainingPlan, action: str, **data: str) -> Any:
    url = reverse("programs:plan-transition", args=[plan.pk])
    return client.post(url, {"action": action, **data})


def test_student_drafts_edits_and_submits_a_plan_through_the_page(cast: Cast) -> None:
    client = client_for(cast.student.user)
    assert client.post(reverse("programs:my-plan"), _plan_data()).status_code == 302
    plan = m.TrainingPlan.objects.get(student=cast.student)
    assert plan.status == Plan.DRAFT and plan.case_targets.get().target == 200
    edit = _plan_data(personal_objectives="Become independent in CT.")
    assert client.post(reverse("programs:my-plan"), edit).status_code == 302
    plan.refresh_from_db()
    assert plan.personal_objectives == "Become independent in CT." and plan.version == 1
    page = client.get(reverse("programs:my-plan")).content.decode()
    assert reverse("programs:plan-transition", args=[plan.pk]) in page
    response = _transition(client, plan, "submit")
    assert response.status_code == 302 and response["Location"] == reverse("programs:my-plan")
    plan.refresh_from_db()
    assert plan.status == Plan.SUBMITTED


def test_a_plan_with_a_course_outside_the_curriculum_is_refused_on_the_form(cast: Cast) -> None:
    # The form only offers the curriculum's courses: another course is a form error (200).
    course = CourseFactory()
    data = _plan_data(courses=[str(course.pk)])
    response = client_for(cast.student.user).post(reverse("programs:my-plan"), data)
    assert response.status_code == 200
    assert "courses" in response.context["plan_form"].errors
    assert not m.TrainingPlan.objects.exists()


def test_tutor_approves_then_admin_approves_then_student_revises(cast: Cast) -> None:
    plan = PlanFactory(student=cast.student, status=Plan.SUBMITTED)
    student_url = reverse("programs:student", args=[cast.student.pk])
    tutor = client_for(cast.tutor.user)
    assert "tutor_approve" in tutor.get(student_url).content.decode()
    assert _transition(tutor, plan, "tutor_approve").status_code == 302
    admin = client_for(cast.program_admin)
    assert _transition(admin, plan, "approve").status_code == 302
    plan.refresh_from_db()
    assert plan.status == Plan.APPROVED
    assert _transition(client_for(cast.student.user), plan, "revise").status_code == 302
    latest = m.TrainingPlan.objects.filter(student=cast.student).order_by("-version").first()
    assert latest is not None and latest.version == 2 and latest.status == Plan.DRAFT
    page = client_for(cast.student.user).get(student_url).content.decode()
    assert "Older versions" in page


def test_returning_a_plan_needs_a_comment(cast: Cast) -> None:
    plan = PlanFactory(student=cast.student, status=Plan.SUBMITTED)
    tutor = client_for(cast.tutor.user)
    response = _transition(tutor, plan, "return", comment="  ")
    assert response.status_code == 200 and response.context["transition_form"].errors
    plan.refresh_from_db()
    assert plan.status == Plan.SUBMITTED
    assert _transition(tutor, plan, "return", comment="Add MR targets.").status_code == 302
    plan.refresh_from_db()
    assert plan.status == Plan.DRAFT


def test_plan_actions_outside_ones_role_are_403_and_others_plans_404(cast: Cast) -> None:
    plan = PlanFactory(student=cast.student, status=Plan.SUBMITTED)
    assert _transition(client_for(cast.practice_tutor.user), plan, "tutor_approve").status_code == (
        403
    )
    assert _transition(client_for(cast.program_admin), plan, "approve").status_code == 403
    assert _transition(client_for(cast.student.user), plan, "submit").status_code == 403
    assert _transition(client_for(cast.other_student.user), plan, "submit").status_code == 404
    assert _transition(client_for(cast.coordinator), plan, "approve").status_code == 404
    plan.refresh_from_db()
    assert plan.status == Plan.SUBMITTED


def test_buttons_show_only_what_the_viewer_may_do(cast: Cast) -> None:
    PlanFactory(student=cast.student, status=Plan.SUBMITTED)
    url = reverse("programs:student", args=[cast.student.pk])
    assert "tutor_approve" not in client_for(cast.practice_tutor.user).get(url).content.decode()
    admin_page = client_for(cast.program_admin).get(url).content.decode()
    assert 'value="approve"' not in admin_page and 'value="tutor_approve"' not in admin_page


# ---- Placements ----------------------------------------------------------------------------


def test_coordinator_confirms_a_placement_once(cast: Cast) -> None:
    client = client_for(cast.coordinator)
    page = client.get(reverse("programs:placements-to-confirm")).content.decode()
    url = reverse("programs:placement-confirm", args=[cast.placement.pk])
    assert url in page
    assert client.post(url).status_code == 302
    cast.placement.refresh_from_db()
    assert cast.placement.confirmed_by == cast.coordinator
    again = client.post(url)
    assert again.status_code == 200 and again.context["form"].non_field_errors()


def test_other_coordinators_cannot_confirm(cast: Cast) -> None:
    url = reverse("programs:placement-confirm", args=[cast.placement.pk])
    assert client_for(cast.other_coordinator).post(url).status_code == 404
    assert client_for(cast.tutor.user).post(url).status_code == 403
    cast.placement.refresh_from_db()
    assert cast.placement.confirmed_at is None


# ---- Query counts --------------------------------------------------------------------------


def _more_students_of(cast: Cast, count: int) -> None:
    for n in range(count):
        student = StudentFactory(program=cast.program)
        AssignmentFactory(student=student, tutor=cast.tutor)
        AssignmentFactory(student=student, tutor=TutorFactory(kind=m.TutorProfile.Kind.PRACTICE))
        PlanFactory(student=student)
        m.Milestone.objects.create(
            student=student, kind="other", title=f"M{n}", due_date=dt.date(2026, 1, 1)
        )
        ProgressLogFactory(student=student, author=cast.tutor.user)


def test_my_students_query_count_is_flat(cast: Cast) -> None:
    client = client_for(cast.tutor.user)
    assert_flat_queries(
        lambda: client.get(reverse("programs:my-students")),
        lambda: _more_students_of(cast, 19),
        max_queries=12,
    )


def test_program_detail_query_count_is_flat(cast: Cast) -> None:
    client = client_for(cast.program_admin)
    assert_flat_queries(
        lambda: client.get(reverse("programs:program-detail", args=[cast.program.pk])),
        lambda: _more_students_of(cast, 19),
        max_queries=20,
    )


def _more_about(cast: Cast, first: int, last: int) -> None:
    """Plan versions `first`..`last` (superseded) and an open one after them; as many
    milestones, logs, case logs and projects."""
    student = cast.student
    course = m.Course.objects.filter(in_programs__program=cast.program).first()
    if course is None:
        course = CourseFactory()
        m.ProgramCourse.objects.create(
            program=cast.program, course=course, requirement="required", semester=1
        )
    m.TrainingPlan.objects.filter(student=student, status=Plan.SUBMITTED).update(
        status=Plan.SUPERSEDED
    )
    for version in range(first, last + 1):
        plan = PlanFactory(student=student, version=version, status=Plan.SUPERSEDED)
        plan.courses.add(course)
        m.PlanCaseTarget.objects.create(plan=plan, modality="ct", target=10)
    PlanFactory(student=student, version=last + 1, status=Plan.SUBMITTED)
    for n in range(first, last + 1):
        m.Milestone.objects.create(
            student=student, kind="other", title=f"M{n}", due_date=dt.date(2026, 1, 1)
        )
        ProgressLogFactory(student=student, author=cast.tutor.user)
        m.CaseLog.objects.create(
            student=student,
            date=dt.date(2026, 3, 1),
            modality="ct",
            procedure="Head CT",
            count=3,
            role="observed",
            recorded_by=student.user,
        )
        project = m.Project.objects.create(
            program=cast.program,
            title=f"Project {n}",
            kind="research",
            size="small",
            lead_organization=cast.hospital,
        )
        m.ProjectMember.objects.create(project=project, user=student.user)


@pytest.mark.parametrize("who", ["tutor", "program_admin", "student", "coordinator"])
def test_student_page_query_count_is_flat(cast: Cast, who: str) -> None:
    client = client_for(member(cast, who))
    url = reverse("programs:student", args=[cast.student.pk])
    _more_about(cast, 1, 1)
    assert_flat_queries(lambda: client.get(url), lambda: _more_about(cast, 3, 20), max_queries=30)


def test_program_admin_of_another_program_sees_neither_program_nor_students(cast: Cast) -> None:
    other_admin = UserFactory(email="paula@example.org")
    grant(
        other_admin,
        Role.PROGRAM_ADMIN,
        m.Program.objects.create(
            code="OTHER1",
            title="Other",
            discipline="Other",
            degree_type="academic",
            lead_university=cast.program.lead_university,
            start_date=dt.date(2025, 9, 1),
        ),
    )
    client = client_for(other_admin)
    assert client.get(reverse("programs:program-detail", args=[cast.program.pk])).status_code == 404
    assert client.get(reverse("programs:student", args=[cast.student.pk])).status_code == 404
