"""The remaining forms show the field errors and the cross-field or uniqueness errors of one
submission together (placements, case logs, objectives, stages, projects); a refused query or
rejection of cases is shown next to its note, on a page about that case."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from programs import models as m
from tests.cast import Cast, who
from tests.clients import client_for
from tests.queries import assert_flat_queries

pytestmark = pytest.mark.django_db


def errors_of(response: Any) -> dict[str, list[str]]:
    assert response.status_code == 200
    return {name: list(messages) for name, messages in response.context["form"].errors.items()}


# ---- Placements ----------------------------------------------------------------------------


def test_a_placement_with_no_objectives_a_backwards_period_and_another_hosts_tutor(
    cast: Cast,
) -> None:
    m.ProgramPartner.objects.create(
        program=cast.program, organization=cast.other_hospital, agreement_start=dt.date(2025, 1, 1)
    )
    response = client_for(cast.program_admin).post(
        reverse("programs:placement-create", args=[cast.other_student.pk]),
        {
            "host": cast.other_hospital.pk,
            "start_date": "2026-09-01",
            "end_date": "2026-08-01",
            "practice_tutor": cast.practice_tutor.pk,  # works at the first hospital
            "objectives": "",
        },
    )
    assert errors_of(response) == {
        "objectives": ["This field is required."],
        "end_date": ["A placement cannot end before it starts."],
        "practice_tutor": ["Choose a practice tutor who works at the host."],
    }
    assert not m.Placement.objects.filter(student=cast.other_student).exists()


def test_editing_a_placement_checks_the_tutor_against_its_host(cast: Cast) -> None:
    stranger = m.TutorProfile.objects.create(
        user=cast.other_coordinator,
        kind=m.TutorProfile.Kind.PRACTICE,
        organization=cast.other_hospital,
    )
    response = client_for(cast.program_admin).post(
        reverse("programs:placement-edit", args=[cast.placement.pk]),
        {
            "start_date": "2026-09-01",
            "end_date": "2026-08-01",
            "practice_tutor": stranger.pk,
            "objectives": "",
        },
    )
    assert errors_of(response) == {
        "objectives": ["This field is required."],
        "end_date": ["A placement cannot end before it starts."],
        "practice_tutor": ["Choose a practice tutor who works at the host."],
    }
    cast.placement.refresh_from_db()
    assert cast.placement.practice_tutor == cast.practice_tutor


# ---- Case logs -----------------------------------------------------------------------------


def case_data(**fields: Any) -> dict[str, Any]:
    data = {
        "date": timezone.localdate().isoformat(),
        "modality": "mr",
        "procedure": "Knee MR",
        "count": "3",
        "role": "observed",
        "placement": "",
    }
    data.update(fields)
    return data


def test_a_case_in_the_future_with_no_procedure_and_a_bad_count(cast: Cast) -> None:
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = client_for(cast.student.user).post(
        reverse("programs:case-log-create"),
        case_data(date=tomorrow.isoformat(), procedure="", count="abc"),
    )
    assert errors_of(response) == {
        "date": ["The date cannot be in the future."],
        "procedure": ["This field is required."],
        "count": ["Enter a whole number."],
    }
    assert not m.CaseLog.objects.exists()


def test_a_case_before_the_enrolment_with_no_procedure(cast: Cast) -> None:
    response = client_for(cast.student.user).post(
        reverse("programs:case-log-create"), case_data(date="2025-08-31", procedure="")
    )
    assert errors_of(response) == {
        "date": ["The date cannot be before the student's enrolment (1 September 2025)."],
        "procedure": ["This field is required."],
    }
    assert not m.CaseLog.objects.exists()


def _covering_today(student: m.Student, host: m.Organization, **fields: Any) -> m.Placement:
    today = timezone.localdate()
    values = {
        "student": student,
        "host": host,
        "start_date": today - dt.timedelta(days=30),
        "end_date": today + dt.timedelta(days=30),
        "status": m.Placement.Status.ACTIVE,
    }
    values.update(fields)
    return m.Placement.objects.create(objectives="Clinical practice", **values)


def test_the_case_form_offers_the_active_placement_covering_today(cast: Cast) -> None:
    current = _covering_today(cast.student, cast.hospital)
    _covering_today(cast.student, cast.other_hospital, status=m.Placement.Status.PLANNED)
    _covering_today(cast.other_student, cast.hospital)
    form = client_for(cast.student.user).get(reverse("programs:case-log-create")).context["form"]
    assert form["placement"].value() == current.pk


def test_the_case_form_offers_no_placement_when_two_active_ones_cover_today(
    cast: Cast,
) -> None:
    _covering_today(cast.student, cast.hospital)
    _covering_today(cast.student, cast.other_hospital)
    form = client_for(cast.student.user).get(reverse("programs:case-log-create")).context["form"]
    assert form["placement"].value() is None


def test_the_case_form_offers_no_placement_when_none_covers_today(cast: Cast) -> None:
    m.Placement.objects.filter(pk=cast.placement.pk).update(status=m.Placement.Status.ACTIVE)
    form = client_for(cast.student.user).get(reverse("programs:case-log-create")).context["form"]
    assert form["placement"].value() is None


def test_the_case_form_query_count_stays_flat_with_placements(cast: Cast) -> None:
    client = client_for(cast.student.user)
    _covering_today(cast.student, cast.hospital)

    def grow() -> None:
        for _ in range(3):
            _covering_today(cast.student, cast.other_hospital, status=m.Placement.Status.PLANNED)

    assert_flat_queries(
        lambda: client.get(reverse("programs:case-log-create")), grow, max_queries=12
    )


# ---- Objectives and stages -----------------------------------------------------------------


def test_a_duplicate_objective_title_with_an_empty_description(cast: Cast) -> None:
    m.TrainingObjective.objects.create(
        program=cast.program, order=1, title="Read CT", description="Exam."
    )
    response = client_for(cast.program_admin).post(
        reverse("programs:objective-add", args=[cast.program.pk]),
        {"title": "Read CT", "description": ""},
    )
    assert errors_of(response) == {
        "title": ["This program already has an objective with this title."],
        "description": ["This field is required."],
    }
    assert m.TrainingObjective.objects.filter(program=cast.program).count() == 1


def test_a_duplicate_stage_title_with_a_bad_length(cast: Cast) -> None:
    m.Stage.objects.create(
        program=cast.program,
        order=1,
        kind=m.Stage.Kind.COURSEWORK,
        title="Courses",
        expected_months=6,
    )
    response = client_for(cast.program_admin).post(
        reverse("programs:stage-add", args=[cast.program.pk]),
        {"kind": m.Stage.Kind.COURSEWORK, "title": "Courses", "expected_months": "0"},
    )
    assert errors_of(response) == {
        "title": ["This program already has a stage with this title."],
        "expected_months": ["Ensure this value is greater than or equal to 1."],
    }
    assert m.Stage.objects.filter(program=cast.program).count() == 1


def test_a_title_of_another_program_is_free(cast: Cast) -> None:
    other = m.Program.objects.create(
        code="OTHER",
        title="Other program",
        discipline="Nursing",
        degree_type=m.Program.DegreeType.PROFESSIONAL,
        lead_university=cast.program.lead_university,
        start_date=dt.date(2025, 9, 1),
    )
    m.TrainingObjective.objects.create(program=other, order=1, title="Read CT", description="x")
    response = client_for(cast.program_admin).post(
        reverse("programs:objective-add", args=[cast.program.pk]),
        {"title": "Read CT", "description": "Exam."},
    )
    assert response.status_code == 302
    assert m.TrainingObjective.objects.filter(program=cast.program, title="Read CT").exists()


def test_editing_an_objective_keeps_its_own_title_but_not_anothers(cast: Cast) -> None:
    first = m.TrainingObjective.objects.create(
        program=cast.program, order=1, title="Read CT", description="Exam."
    )
    m.TrainingObjective.objects.create(
        program=cast.program, order=2, title="Read MR", description="Exam."
    )
    url = reverse("programs:element-edit", args=[cast.program.pk, "objectives", first.pk])
    client = client_for(cast.program_admin)
    taken = client.post(url, {"title": "Read MR", "description": ""})
    assert errors_of(taken) == {
        "title": ["This program already has an objective with this title."],
        "description": ["This field is required."],
    }
    assert client.post(url, {"title": "Read CT", "description": "Oral exam."}).status_code == 302
    first.refresh_from_db()
    assert (first.title, first.description) == ("Read CT", "Oral exam.")


# ---- Projects ------------------------------------------------------------------------------


def test_a_project_with_no_title_no_lead_and_an_end_before_its_start(cast: Cast) -> None:
    response = client_for(cast.student.user).post(
        reverse("programs:project-create", args=[cast.program.pk]),
        {
            "title": "",
            "kind": "research",
            "size": "small",
            "lead_organization": "",
            "start_date": "2026-09-01",
            "end_date": "2026-08-01",
        },
    )
    assert errors_of(response) == {
        "title": ["This field is required."],
        "lead_organization": ["This field is required."],
        "end_date": ["The project cannot end (1 August 2026) before it starts (1 September 2026)."],
    }
    assert not m.Project.objects.exists()


# ---- Querying and rejecting cases ----------------------------------------------------------


def case_log(cast: Cast) -> m.CaseLog:
    return m.CaseLog.objects.create(
        student=cast.student,
        placement=cast.placement,
        date=dt.date(2026, 3, 12),
        modality=m.CaseLog.Modality.CT,
        procedure="Chest CT",
        count=4,
        role=m.CaseLog.Role.ASSISTED,
        recorded_by=cast.student.user,
    )


def test_a_rejection_without_a_reason_is_shown_on_the_cases_page(cast: Cast) -> None:
    case = case_log(cast)
    url = reverse("programs:case-log-reject", args=[case.pk])
    response = client_for(cast.practice_tutor.user).post(url, {"note": "  "})
    assert errors_of(response) == {"note": ["Say why the cases are rejected."]}
    assert response.context["case"] == case
    assert response.templates[0].name == "programs/cases/decide.html"
    case.refresh_from_db()
    assert case.rejected_at is None


def test_a_question_left_empty_is_shown_on_the_cases_page_and_then_sent(cast: Cast) -> None:
    case = case_log(cast)
    url = reverse("programs:case-log-query", args=[case.pk])
    client = client_for(cast.practice_tutor.user)
    assert errors_of(client.post(url, {"note": ""})) == {
        "note": ["Write the question for the student."]
    }
    sent = client.post(url, {"note": "Which protocol?"})
    assert sent.status_code == 302
    assert sent["Location"] == reverse("programs:cases-to-verify")
    case.refresh_from_db()
    assert case.query == "Which protocol?"


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("practice_tutor", 200),
        ("tutor", 403),  # sees the case, does not verify it
        ("student", 403),
        ("program_admin", 403),
        ("other_student", 404),
        ("outsider", 404),
    ],
)
def test_the_rejection_page_by_role(cast: Cast, outsider: User, name: str, status: int) -> None:
    case = case_log(cast)
    response = client_for(who(cast, name, outsider)).get(
        reverse("programs:case-log-reject", args=[case.pk])
    )
    assert response.status_code == status


def test_the_rejection_page_query_count_is_flat(cast: Cast) -> None:
    case = case_log(cast)
    client = client_for(cast.practice_tutor.user)

    def grow() -> None:
        for _ in range(3):
            case_log(cast)

    assert_flat_queries(
        lambda: client.get(reverse("programs:case-log-reject", args=[case.pk])),
        grow,
        max_queries=10,
    )
