"""A placement's lifecycle in a real browser: the host's coordinator confirms the start of a
planned placement, then completes it with a short evaluation; the student's page shows it
completed."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings

from accounts.roles import Role
from programs import models as m
from programs.placements.services import create_placement
from tests.factories import UserFactory
from tests.programs.factories import (
    OrganizationFactory,
    ProgramFactory,
    StudentFactory,
    TutorFactory,
    grant,
)

from .conftest import screenshot, sign_in, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def account(email: str, name: str) -> Any:
    user = UserFactory(email=email, full_name=name)
    user.set_password(settings.DEMO_PASSWORD)
    user.save()
    return user


def test_a_coordinator_starts_and_completes_a_placement(page: Any, live_server: Any) -> None:
    program = ProgramFactory()
    hospital = OrganizationFactory(name="Eastbridge First Hospital")
    m.ProgramPartner.objects.create(
        program=program,
        organization=hospital,
        agreement_start=dt.date(2025, 9, 1),
        places_offered=2,
    )
    admin = account("petra@e2e.example", "Petra Progadmin")
    grant(admin, Role.PROGRAM_ADMIN, program)
    coordinator = account("cora@e2e.example", "Cora Coordinator")
    grant(coordinator, Role.PARTNER_COORDINATOR, hospital)
    tutor = TutorFactory(
        user=account("pia@e2e.example", "Pia Practice"),
        kind=m.TutorProfile.Kind.PRACTICE,
        organization=hospital,
    )
    student = StudentFactory(program=program, user=account("stan@e2e.example", "Stan Student"))
    grant(student.user, Role.STUDENT, program)
    placement = create_placement(
        user=admin,
        student=student,
        host=hospital,
        start_date=dt.date(2026, 3, 1),
        end_date=dt.date(2026, 8, 31),
        objectives="CT and MR rotations",
        practice_tutor=tutor,
    )
    base = live_server.url

    sign_in(page, base, "cora@e2e.example")
    page.goto(f"{base}/placements/to-confirm/")
    assert "1 of 2 places used" in page.locator("table").inner_text()
    page.get_by_role("link", name="Eastbridge First Hospital").click()
    page.wait_for_url(f"{base}/placements/{placement.pk}/")
    submit(page, "button[name=do][value=start]")
    assert page.get_by_test_id("placement-status").inner_text() == "Active"

    # Nothing filled in: both problems are shown at once, and nothing changes.
    page.locator("button[name=do][value=complete]").click()
    page.locator("#action-complete").wait_for()
    assert page.locator(".invalid-feedback").count() == 2
    assert page.get_by_test_id("placement-status").inner_text() == "Active"

    page.locator("select[name=rating]").select_option("5")
    page.locator("textarea[name=evaluation]").fill("Careful, quick to learn, good with patients.")
    submit(page, "button[name=do][value=complete]")
    assert page.get_by_test_id("placement-status").inner_text() == "Completed"
    assert page.get_by_test_id("placement-rating").inner_text() == "5 of 5"
    screenshot(page, "placement-completed")

    sign_in(page, base, "stan@e2e.example")
    page.goto(f"{base}/students/{student.pk}/")
    assert page.get_by_test_id(f"placement-status-{placement.pk}").inner_text() == "Completed"
    placement.refresh_from_db()
    assert (placement.status, placement.rating, placement.completed_by) == (
        m.Placement.Status.COMPLETED,
        5,
        coordinator,
    )
