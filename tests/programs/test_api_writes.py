"""Writes through the API: the plan workflow end to end, logs, funds, bad input, 404 outside."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from programs import models as m
from tests.cast import Cast
from tests.clients import api_for

from .factories import BudgetLineFactory, CourseFactory, ExpenditureFactory

pytestmark = pytest.mark.django_db


def test_the_plan_goes_from_draft_to_approved_and_the_next_change_makes_version_2(
    cast: Cast,
) -> None:
    course = CourseFactory()
    m.ProgramCourse.objects.create(
        program=cast.program, course=course, requirement="required", semester=1
    )
    student = api_for(cast.student.user)
    created = student.post(
        reverse("api:training-plan-list"),
        {
            "student": cast.student.pk,
            "career_goal": "clinical",
            "personal_objectives": "Master CT protocols",
            "courses": [course.pk],
            "case_targets": {"ct": 40},
        },
        format="json",
    )
    assert created.status_code == 201, created.data
    plan_id = created.data["id"]
    url = lambda name: reverse(f"api:training-plan-{name}", args=[plan_id])  # noqa: E731
    assert student.post(url("submit")).data["status"] == "submitted"
    # Only the academic tutor approves at this step; the program administrator must wait.
    assert api_for(cast.program_admin).post(url("approve")).status_code == 403
    assert api_for(cast.tutor.user).post(url("tutor-approve")).data["status"] == "tutor_approved"
    approved = api_for(cast.program_admin).post(url("approve")).data
    assert approved["status"] == "approved"
    assert [t["to_status"] for t in approved["transitions"]] == [
        "draft",
        "submitted",
        "tutor_approved",
        "approved",
    ]
    revised = student.post(url("revise"))
    assert revised.status_code == 201
    assert (revised.data["version"], revised.data["status"]) == (2, "draft")
    version_1 = student.get(reverse("api:training-plan-detail", args=[plan_id])).data
    assert (version_1["version"], version_1["status"]) == (1, "approved")
    assert version_1["personal_objectives"] == "Master CT protocols"


def test_another_students_plan_cannot_be_touched(cast: Cast) -> None:
    plan = m.TrainingPlan.objects.create(
        student=cast.other_student, version=1, career_goal="research", personal_objectives="x"
    )
    api = api_for(cast.student.user)
    assert api.post(reverse("api:training-plan-submit", args=[plan.pk])).status_code == 404
    response = api.post(
        reverse("api:training-plan-list"),
        {"student": cast.other_student.pk, "career_goal": "clinical", "personal_objectives": "x"},
        format="json",
    )
    assert response.status_code == 400
    assert "student" in response.data


def test_a_shared_log_reaches_the_student_and_a_private_one_does_not(cast: Cast) -> None:
    tutor = api_for(cast.tutor.user)
    today = timezone.localdate().isoformat()
    base = {"student": cast.student.pk, "date": today, "kind": "meeting", "minutes": 30}
    shared = tutor.post(
        reverse("api:progress-log-list"), {**base, "summary": "Shared"}, format="json"
    )
    private = tutor.post(
        reverse("api:progress-log-list"),
        {**base, "summary": "Private", "shared": False},
        format="json",
    )
    assert shared.status_code == private.status_code == 201
    student = api_for(cast.student.user)
    seen = {row["summary"] for row in student.get(reverse("api:progress-log-list")).data["results"]}
    assert seen == {"Shared"}
    ack = student.post(
        reverse("api:progress-log-acknowledge", args=[shared.data["id"]]), {"comment": "Thanks"}
    )
    assert ack.status_code == 200 and ack.data["acknowledged_at"]
    assert (
        student.post(reverse("api:progress-log-acknowledge", args=[private.data["id"]])).status_code
        == 404
    )


def test_one_session_counts_as_contact_and_case_evidence(cast: Cast) -> None:
    response = api_for(cast.practice_tutor.user).post(
        reverse("api:progress-log-list"),
        {
            "student": cast.student.pk,
            "date": timezone.localdate().isoformat(),
            "kind": "clinical",
            "minutes": 120,
            "summary": "CT session",
            "placement": cast.placement.pk,
            "cases": [{"modality": "ct", "procedure": "Chest CT", "count": 6, "role": "assisted"}],
        },
        format="json",
    )
    assert response.status_code == 201, response.data
    case = m.CaseLog.objects.get(progress_log_id=response.data["id"])
    assert (case.count, case.placement_id) == (6, cast.placement.pk)


def test_bad_input_gets_field_errors_and_saves_nothing(cast: Cast) -> None:
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = api_for(cast.tutor.user).post(
        reverse("api:progress-log-list"),
        {
            "student": cast.student.pk,
            "date": tomorrow,
            "kind": "meeting",
            "minutes": 0,
            "summary": "",
        },
        format="json",
    )
    assert response.status_code == 400
    assert {"minutes", "summary"} <= set(response.data)
    line = BudgetLineFactory(program=cast.program, holder=cast.program.lead_university)
    response = api_for(cast.program_admin).post(
        reverse("api:expenditure-list"),
        {
            "line": line.pk,
            "amount": "-5",
            "spent_on": "2026-03-01",
            "category": "materials",
            "payee": "X",
            "description": "Y",
        },
        format="json",
    )
    assert response.status_code == 400 and "amount" in response.data
    assert not m.ProgressLog.objects.exists() and not m.Expenditure.objects.exists()


def test_nobody_approves_their_own_expenditure(cast: Cast) -> None:
    line = BudgetLineFactory(program=cast.program, holder=cast.program.lead_university)
    own = ExpenditureFactory(line=line, submitted_by=cast.program_admin)
    response = api_for(cast.program_admin).post(
        reverse("api:expenditure-approve", args=[own.pk]), {}
    )
    assert response.status_code == 403
    own.refresh_from_db()
    assert own.status == "submitted"


def test_the_hosts_coordinator_confirms_a_placement(cast: Cast) -> None:
    assert (
        api_for(cast.other_coordinator)
        .post(reverse("api:placement-confirm", args=[cast.placement.pk]))
        .status_code
        == 404
    )
    response = api_for(cast.coordinator).post(
        reverse("api:placement-confirm", args=[cast.placement.pk])
    )
    assert response.status_code == 200 and response.data["confirmed_by"] == cast.coordinator.email
    again = api_for(cast.coordinator).post(
        reverse("api:placement-confirm", args=[cast.placement.pk])
    )
    assert again.status_code == 400
