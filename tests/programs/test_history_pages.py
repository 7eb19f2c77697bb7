"""Record history pages: what changed, who changed it, when and why; for portal administrators
and for the administrators of the record's program; everyone else gets 404."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.roles import Role
from programs import models as m
from programs.partners.services.partners import change_organization_status, create_organization
from tests.cast import Cast, who
from tests.clients import client_for
from tests.factories import UserFactory
from tests.queries import assert_flat_queries
from training_portal.core.history import history_context, history_url

from .factories import (
    BudgetLineFactory,
    ExpenditureFactory,
    PlanFactory,
    ProgramFactory,
    ProgressLogFactory,
    grant,
)

pytestmark = pytest.mark.django_db


def url_of(obj: models.Model) -> str:
    return reverse("core:history", args=[obj._meta.app_label, obj._meta.model_name, obj.pk])


def other_program_admin() -> User:
    user = UserFactory(email="peter@example.org", full_name="Peter Elsewhere")
    grant(user, Role.PROGRAM_ADMIN, ProgramFactory())
    return user


# ---- Who may read a record's history -------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("program_admin", 200),
        ("coordinator", 404),
        ("tutor", 404),
        ("practice_tutor", 404),
        ("student", 404),
        ("other_student", 404),
        ("outsider", 404),
    ],
)
def test_program_history_by_role(cast: Cast, name: str, status: int) -> None:
    user = who(cast, name, UserFactory())
    assert client_for(user).get(url_of(cast.program)).status_code == status


def test_portal_administrators_read_it_and_anonymous_visitors_sign_in(
    cast: Cast, admin: User
) -> None:
    assert client_for(admin).get(url_of(cast.program)).status_code == 200
    response = Client().get(url_of(cast.program))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def _records(cast: Cast) -> dict[str, models.Model]:
    plan = PlanFactory(student=cast.student)
    line = BudgetLineFactory(program=cast.program, holder=cast.hospital)
    return {
        "program": cast.program,
        "student": cast.student,
        "plan": plan,
        "milestone": m.Milestone.objects.create(
            student=cast.student,
            kind=m.MilestoneTemplate.Kind.PROPOSAL_DEFENCE,
            title="Proposal defence",
            due_date=dt.date(2026, 3, 1),
        ),
        "placement": cast.placement,
        "project": m.Project.objects.create(
            program=cast.program,
            title="Low-dose CT",
            kind=m.Project.Kind.RESEARCH,
            size=m.Project.Size.SMALL,
            lead_organization=cast.program.lead_university,
        ),
        "partner": m.ProgramPartner.objects.create(
            program=cast.program, organization=cast.hospital, agreement_start=dt.date(2025, 9, 1)
        ),
        "budget_line": line,
        "expenditure": ExpenditureFactory(line=line),
        "progress_log": ProgressLogFactory(student=cast.student, author=cast.tutor.user),
        "case_log": m.CaseLog.objects.create(
            student=cast.student,
            date=dt.date(2026, 3, 2),
            modality=m.CaseLog.Modality.CT,
            procedure="Head CT",
            count=3,
            role=m.CaseLog.Role.ASSISTED,
            recorded_by=cast.student.user,
        ),
    }


RECORDS = [
    "program",
    "student",
    "plan",
    "milestone",
    "placement",
    "project",
    "partner",
    "budget_line",
    "expenditure",
    "progress_log",
    "case_log",
]


@pytest.mark.parametrize("record", RECORDS)
def test_program_administrators_read_the_history_of_their_programs_records(
    cast: Cast, admin: User, record: str
) -> None:
    obj = _records(cast)[record]
    assert client_for(cast.program_admin).get(url_of(obj)).status_code == 200
    assert client_for(admin).get(url_of(obj)).status_code == 200
    assert client_for(other_program_admin()).get(url_of(obj)).status_code == 404
    assert client_for(cast.tutor.user).get(url_of(obj)).status_code == 404
    assert client_for(cast.student.user).get(url_of(obj)).status_code == 404


def test_records_without_a_rule_are_for_portal_administrators_only(cast: Cast, admin: User) -> None:
    for obj in (cast.hospital, cast.tutor, cast.student.user):
        assert client_for(cast.program_admin).get(url_of(obj)).status_code == 404
        assert client_for(cast.coordinator).get(url_of(obj)).status_code == 404
        assert client_for(admin).get(url_of(obj)).status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "programs/nosuchmodel/1",
        "nosuchapp/program/1",
        "programs/program/999999",
        "programs/program/abc",
        "programs/trainingplanevent/1",  # the event table itself is not a tracked record
        "core/job/1",  # not tracked
    ],
)
def test_unknown_untracked_or_missing_records_are_not_found(
    cast: Cast, admin: User, path: str
) -> None:
    app_label, model_name, pk = path.split("/")
    url = reverse("core:history", args=[app_label, model_name, pk])
    assert client_for(admin).get(url).status_code == 404


def test_an_untracked_models_rows_are_not_found_even_when_they_exist(
    cast: Cast, admin: User
) -> None:
    with history_context(user=admin.pk):
        change = change_organization_status(
            user=admin, organization=cast.hospital, to_status="probation", reason="Late reports."
        )
    assert client_for(admin).get(url_of(change)).status_code == 404


# ---- What the page shows -------------------------------------------------------------------


def _entries(user: Any, obj: models.Model, **params: Any) -> list[Any]:
    response = client_for(user).get(url_of(obj), params)
    assert response.status_code == 200
    return list(response.context["entries"])


def test_changes_show_field_old_and_new_values_and_who_made_them(cast: Cast) -> None:
    with history_context(user=cast.program_admin.pk):
        cast.program.title = "Medical Imaging Engineering"
        cast.program.save()
        cast.student.status = m.Student.Status.SUSPENDED
        cast.student.save()
    (change, created) = _entries(cast.program_admin, cast.program)
    assert change.summary == "Changed" and created.summary == "Created"
    assert [(c.label, c.old, c.new) for c in change.changes] == [
        ("Title", "Medical Imaging Technology", "Medical Imaging Engineering")
    ]
    assert change.actor == "Petra Progadmin"
    assert created.actor == "system"  # made by the test setup, outside any request or job
    student_change = _entries(cast.program_admin, cast.student)[0]
    assert [(c.label, c.old, c.new) for c in student_change.changes] == [
        ("Status", "Active", "Suspended")
    ]
    page = client_for(cast.program_admin).get(url_of(cast.program)).content.decode()
    assert "Medical Imaging Technology → Medical Imaging Engineering" in page
    assert "Petra Progadmin" in page


def test_a_change_made_in_a_page_records_the_user_and_the_page(cast: Cast) -> None:
    plan = PlanFactory(student=cast.student, status=m.TrainingPlan.Status.SUBMITTED)
    response = client_for(cast.tutor.user).post(
        reverse("programs:plan-transition", args=[plan.pk]), {"action": "tutor_approve"}
    )
    assert response.status_code == 302
    latest = _entries(cast.program_admin, plan)[0]
    assert ("Status", "Submitted", "Approved by tutor") in [
        (c.label, c.old, c.new) for c in latest.changes
    ]
    assert latest.actor == "Tom Tutor" and latest.actor_email == "tom@example.org"
    assert ("Page", reverse("programs:plan-transition", args=[plan.pk])) in latest.context


def test_values_are_shown_as_people_read_them(cast: Cast, admin: User) -> None:
    expenditure = ExpenditureFactory(
        line=BudgetLineFactory(program=cast.program, holder=cast.hospital),
        amount=Decimal("1234.50"),
        submitted_by=cast.coordinator,
    )
    (created,) = _entries(admin, expenditure)
    values = {c.label: c.new for c in created.changes}
    assert values["Amount"] == Decimal("1234.50")
    assert values["Category"] == "Materials and consumables"
    assert values["Submitted by"] == "Cora Coordinator"
    assert values["Budget line"] == f"Budget line #{expenditure.line_id}"
    assert values["Date"] == dt.date(2026, 3, 1)
    page = client_for(admin).get(url_of(expenditure)).content.decode()
    assert "1234.50" in page


def test_organisation_status_changes_say_who_when_and_why(admin: User) -> None:
    # Three requests, each with its own history context (as the middleware opens one).
    with history_context(user=admin.pk):
        hospital = create_organization(
            user=admin, name="Third Hospital", kind=m.Organization.Kind.HOSPITAL
        )
    with history_context(user=admin.pk):
        change_organization_status(
            user=admin,
            organization=hospital,
            to_status="probation",
            reason="No placement review for two terms.",
        )
    with history_context(user=admin.pk):
        change_organization_status(
            user=admin, organization=hospital, to_status="active", reason="Reviews resumed."
        )
    restored, probation, created = _entries(admin, hospital)
    assert ("Status", "Probation", "Active") in [(c.label, c.old, c.new) for c in restored.changes]
    assert restored.why == "Reviews resumed."
    assert ("Status", "Active", "Probation") in [(c.label, c.old, c.new) for c in probation.changes]
    assert probation.why == "No placement review for two terms."
    assert probation.actor == "Alice Admin"
    assert created.why == "Registered in the portal."
    assert probation.when is not None
    page = client_for(admin).get(url_of(hospital)).content.decode()
    assert "No placement review for two terms." in page


def test_a_reason_given_with_the_change_is_shown(cast: Cast, admin: User) -> None:
    with history_context(user=admin.pk, reason="Corrected the code after the audit."):
        cast.program.code = "MIT-2025"
        cast.program.save()
    assert _entries(admin, cast.program)[0].why == "Corrected the code after the audit."


def test_events_are_newest_first_and_paginated(cast: Cast) -> None:
    with history_context(user=cast.program_admin.pk):
        for n in range(30):
            cast.program.title = f"Title {n}"
            cast.program.save()
    first = _entries(cast.program_admin, cast.program)
    assert len(first) == 25
    assert first[0].changes[0].new == "Title 29"
    second = _entries(cast.program_admin, cast.program, page=2)
    assert len(second) == 6 and second[-1].summary == "Created"


def test_the_history_page_queries_stay_flat_as_events_grow(cast: Cast) -> None:
    editors = [cast.program_admin, UserFactory(), UserFactory()]
    with history_context(user=cast.program_admin.pk):
        cast.program.title = "Renamed"
        cast.program.save()

    def grow() -> None:
        for n in range(50):
            with history_context(user=editors[n % 3].pk):
                cast.program.title = f"Title {n}"
                cast.program.status = ["active", "closed"][n % 2]
                cast.program.save()

    client = client_for(cast.program_admin)
    assert_flat_queries(
        lambda: client.get(url_of(cast.program)), grow, max_queries=11
    )  # with the inspections menu: is the user an inspector


# ---- Links to the history ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "shown"),
    [("program_admin", True), ("tutor", False), ("coordinator", False), ("student", False)],
)
def test_the_program_and_student_pages_link_to_their_history_for_administrators(
    cast: Cast, name: str, shown: bool
) -> None:
    client = client_for(who(cast, name, None))
    program_page = client.get(reverse("programs:program-detail", args=[cast.program.pk]))
    student_page = client.get(reverse("programs:student", args=[cast.student.pk]))
    assert (url_of(cast.program) in program_page.content.decode()) is shown
    assert (url_of(cast.student) in student_page.content.decode()) is shown


def test_the_history_link_is_empty_for_whoever_may_not_read_it(cast: Cast, admin: User) -> None:
    assert history_url(AnonymousUser(), cast.program) == ""
    assert history_url(cast.tutor.user, cast.program) == ""
    assert history_url(admin, cast.program) == url_of(cast.program)
    assert history_url(admin, m.Program()) == ""  # not saved: no history yet


def test_without_postgresql_the_history_page_says_how_to_keep_history(
    cast: Cast, settings: Any
) -> None:
    """The embedded SQLite database of `make run` keeps no history: the page says so and how to
    start the portal on PostgreSQL instead, rather than showing an empty table."""
    settings.HISTORY_ENABLED = False
    program = cast.program
    response = client_for(cast.program_admin).get(url_of(program))
    assert response.status_code == 200
    text = response.content.decode()
    assert "keeps none" in text
    assert "DATABASE_URL=postgres://" in text
    assert "<table" not in text.split("History of", 2)[-1]
