"""A program administrator corrects a typo in an objective and retires a course that a
student's plan includes: the page then shows the corrected text and the course under
"Retired"."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings

from accounts.roles import Role
from programs import models as m
from tests.factories import UserFactory
from tests.programs.factories import (
    CourseFactory,
    PlanFactory,
    ProgramFactory,
    StudentFactory,
    grant,
)

from .conftest import screenshot, sign_in, submit

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_program_admin_corrects_an_objective_and_retires_a_course(
    page: Any, live_server: Any
) -> None:
    program = ProgramFactory()
    petra = UserFactory(email="petra@example.org", full_name="Petra Progadmin")
    petra.set_password(settings.DEMO_PASSWORD)
    petra.save()
    grant(petra, Role.PROGRAM_ADMIN, program)
    m.TrainingObjective.objects.create(
        program=program, order=1, title="Raeds images", description="Assessed by an exam."
    )
    course = CourseFactory(code="IMG101", title="Imaging physics")
    m.ProgramCourse.objects.create(
        program=program, course=course, requirement="required", semester=1
    )
    PlanFactory(student=StudentFactory(program=program)).courses.add(course)
    base = live_server.url
    detail = f"{base}/programs/{program.pk}/"

    sign_in(page, base, "petra@example.org")
    page.goto(detail)
    page.get_by_role("link", name="Edit Raeds images").click()
    page.get_by_label("Title").fill("Reads images")
    submit(page, "button:text-is('Save')")
    assert page.url == detail
    objectives = page.locator("section[aria-labelledby=objectives-heading]")
    assert "Reads images" in objectives.inner_text()
    assert "Raeds" not in objectives.inner_text()

    row = page.locator("tr", has_text="IMG101")
    row.get_by_role("link", name=re.compile(r"^Remove")).click()
    page.get_by_text("It will be retired, not deleted").wait_for()
    assert "1 training plan includes this course." in page.content()
    submit(page, "button:text-is('Retire')")
    assert page.url == detail
    retired = page.locator("[data-retired=curriculum]")
    assert "IMG101" in retired.inner_text()
    assert (
        page.locator(
            "section[aria-labelledby=curriculum-heading] tbody tr", has_text="IMG101"
        ).count()
        == 0
    )
    screenshot(page, "program-elements-retired-en")
    entry = m.ProgramCourse.objects.get(program=program, course=course)
    assert entry.retired_at is not None
    assert m.TrainingObjective.objects.get(program=program).title == "Reads images"
