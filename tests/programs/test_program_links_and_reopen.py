"""Between a program and its organisations: the program page links its lead university, its
partners and the organisations delivering its courses to their pages, and an organisation's
page links its partnerships to the programs the reader may see. A portal administrator reopens
a closed program only with a reason, kept with the change in the program's history."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.models import User
from programs import models as m
from programs.design import services as elements
from tests.cast import Cast
from tests.clients import client_for
from tests.queries import assert_flat_queries

from .factories import CourseFactory, OrganizationFactory, ProgramFactory

pytestmark = pytest.mark.django_db


def org_url(organization: m.Organization) -> str:
    return reverse("programs:organization-detail", args=[organization.pk])


def partner(program: m.Program, organization: m.Organization) -> m.ProgramPartner:
    return m.ProgramPartner.objects.create(
        program=program, organization=organization, agreement_start="2024-01-01"
    )


def test_the_program_page_links_its_organisations(cast: Cast) -> None:
    partner(cast.program, cast.hospital)
    deliverer = OrganizationFactory(name="Imaging Institute")
    m.ProgramCourse.objects.create(
        program=cast.program,
        course=CourseFactory(delivering_organization=deliverer),
        requirement="required",
        semester=1,
    )

    page = client_for(cast.student.user).get(
        reverse("programs:program-detail", args=[cast.program.pk])
    )

    html = page.content.decode()
    for organization in (cast.program.lead_university, cast.hospital, deliverer):
        assert f'href="{org_url(organization)}"' in html
    # Each link leads to a page the reader may open.
    assert client_for(cast.student.user).get(org_url(cast.hospital)).status_code == 200


def test_the_organisation_page_links_partnerships_only_to_programs_the_reader_sees(
    cast: Cast,
) -> None:
    partner(cast.program, cast.hospital)
    hidden = ProgramFactory(code="HIDDEN-1")
    partner(hidden, cast.hospital)
    client = client_for(cast.student.user)

    html = client.get(org_url(cast.hospital)).content.decode()

    shown = reverse("programs:program-detail", args=[cast.program.pk])
    assert f'href="{shown}"' in html
    assert reverse("programs:program-detail", args=[hidden.pk]) not in html
    assert "HIDDEN-1" not in html
    assert client.get(shown).status_code == 200


# ---- Reopening a closed program --------------------------------------------------------------


def close(cast: Cast) -> None:
    m.Program.objects.filter(pk=cast.program.pk).update(status=m.Program.Status.CLOSED)


def test_the_reopen_button_asks_for_a_reason(cast: Cast, admin: User) -> None:
    close(cast)

    html = (
        client_for(admin)
        .get(reverse("programs:program-detail", args=[cast.program.pk]))
        .content.decode()
    )

    assert 'value="reopen"' in html
    assert 'name="reason" required' in html


def test_reopening_without_a_reason_is_refused_and_says_why(cast: Cast, admin: User) -> None:
    close(cast)
    url = reverse("programs:program-transition", args=[cast.program.pk])

    response = client_for(admin).post(url, {"transition": "reopen", "reason": "  "}, follow=True)

    assert "Say why the program is reopened." in response.content.decode()
    cast.program.refresh_from_db()
    assert cast.program.status == m.Program.Status.CLOSED


def test_the_reason_for_reopening_is_kept_in_the_programs_history(cast: Cast, admin: User) -> None:
    close(cast)
    client = client_for(admin)
    url = reverse("programs:program-transition", args=[cast.program.pk])

    response = client.post(
        url, {"transition": "reopen", "reason": "Closed by mistake before the intake."}
    )

    assert response.status_code == 302
    cast.program.refresh_from_db()
    assert cast.program.status == m.Program.Status.ACTIVE
    history = client.get(reverse("core:history", args=["programs", "program", cast.program.pk]))
    assert history.status_code == 200
    assert "Closed by mistake before the intake." in history.content.decode()


@pytest.mark.parametrize(
    ("name", "status"), [("program_admin", 403), ("student", 403), ("outsider", 404)]
)
def test_only_a_portal_administrator_reopens(
    cast: Cast, outsider: User, name: str, status: int
) -> None:
    close(cast)
    user = {
        "program_admin": cast.program_admin,
        "student": cast.student.user,
        "outsider": outsider,
    }[name]
    url = reverse("programs:program-transition", args=[cast.program.pk])

    response = client_for(user).post(url, {"transition": "reopen", "reason": "Please."})

    assert response.status_code == status
    cast.program.refresh_from_db()
    assert cast.program.status == m.Program.Status.CLOSED


@pytest.mark.parametrize("reason", ["", "   "])
def test_the_service_refuses_to_reopen_without_a_reason(
    cast: Cast, admin: User, reason: str
) -> None:
    close(cast)
    cast.program.refresh_from_db()

    with pytest.raises(ValidationError) as error:
        elements.transition_program(user=admin, program=cast.program, name="reopen", reason=reason)

    assert error.value.message_dict == {"reason": ["Say why the program is reopened."]}
    cast.program.refresh_from_db()
    assert cast.program.status == m.Program.Status.CLOSED


def test_closing_needs_no_reason(cast: Cast) -> None:
    elements.transition_program(
        user=cast.program_admin, program=cast.program, name="close", confirmed=True
    )
    cast.program.refresh_from_db()
    assert cast.program.status == m.Program.Status.CLOSED


def test_the_reason_is_shown_on_the_program_page_to_who_manages_it(cast: Cast, admin: User) -> None:
    elements.transition_program(
        user=cast.program_admin, program=cast.program, name="close", confirmed=True
    )
    url = reverse("programs:program-transition", args=[cast.program.pk])
    client_for(admin).post(url, {"transition": "reopen", "reason": "Closed by mistake."})

    change = cast.program.status_changes.first()
    assert change is not None
    assert (change.from_status, change.to_status, change.reason, change.changed_by) == (
        "closed",
        "active",
        "Closed by mistake.",
        admin,
    )
    assert cast.program.status_changes.count() == 2
    detail = reverse("programs:program-detail", args=[cast.program.pk])
    for user in (admin, cast.program_admin):
        assert "Closed by mistake." in client_for(user).get(detail).content.decode()
    assert "Closed by mistake." not in client_for(cast.student.user).get(detail).content.decode()


def test_the_database_refuses_a_reopening_without_a_reason(cast: Cast) -> None:
    change = m.ProgramStatusChange(
        program=cast.program, from_status="closed", to_status="active", reason=""
    )
    with pytest.raises(ValidationError) as error:
        change.full_clean()
    assert "Reopening a closed program needs a reason." in error.value.messages
    with pytest.raises(IntegrityError), transaction.atomic():
        change.save()


def test_the_program_page_stays_flat_as_status_changes_grow(cast: Cast, admin: User) -> None:
    client = client_for(cast.program_admin)
    detail = reverse("programs:program-detail", args=[cast.program.pk])

    def grow() -> None:
        for _ in range(3):
            for step, reason in (("close", ""), ("reopen", "Again.")):
                elements.transition_program(
                    user=admin, program=cast.program, name=step, reason=reason, confirmed=True
                )

    grow()
    assert_flat_queries(lambda: client.get(detail), grow, max_queries=40)
