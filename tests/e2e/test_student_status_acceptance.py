"""A student's suspension and resumption in a real browser, on the demo data.

The student asks for a suspension of study on their page; the program administrator approves
it, later records the resumption; the student then sees their open milestones moved by the
length of the suspension, and the history of both changes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import formats, timezone, translation

from accounts.demo import seed_demo_accounts
from programs import models as m
from programs.demo import seed_programs_demo

from .conftest import screenshot, sign_in, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shown(date: dt.date) -> str:
    with translation.override("en"):
        return str(formats.date_format(date))


def test_a_student_is_suspended_and_resumes_and_sees_the_milestone_dates_move(
    page: Any, live_server: Any
) -> None:
    seed_demo_accounts()
    seed_programs_demo()
    base = live_server.url
    today = timezone.localdate()
    student = m.Student.objects.get(user__email="student@demo.example")
    open_milestones = dict(
        m.Milestone.objects.filter(student=student, completed_on__isnull=True).values_list(
            "pk", "due_date"
        )
    )
    assert open_milestones
    student_page = f"{base}{reverse('programs:student', args=[student.pk])}"

    # ---- The student asks for a suspension of study, from 21 days ago ----
    sign_in(page, base, "student@demo.example")
    page.goto(f"{base}{reverse('programs:my-plan')}")
    page.get_by_role("link", name="Ask for a suspension of study").click()
    page.get_by_label("Suspended from").fill((today - dt.timedelta(days=21)).isoformat())
    page.get_by_label("Expected end of the suspension").fill(
        (today + dt.timedelta(days=90)).isoformat()
    )
    page.get_by_label("Reason").fill("Surgery and recovery")
    submit(page, "form.col-lg-6 button.btn-primary[type=submit]")
    assert page.get_by_text("awaiting a decision").first.is_visible()

    # ---- The program administrator approves it, then records the resumption ----
    sign_in(page, base, "progadmin@demo.example")
    page.get_by_role("link", name="Student status requests to decide").click()
    page.get_by_role("link", name="Decide").first.click()
    submit(page, "button[value=approve]")
    assert page.get_by_test_id("student-status").inner_text() == "Suspended"
    page.goto(student_page)
    page.get_by_role("link", name="Resume study").click()
    page.get_by_label("Study resumes on").fill(today.isoformat())
    page.get_by_label("Reason").fill("Recovered")
    submit(page, "form.col-lg-6 button.btn-primary[type=submit]")
    assert page.get_by_test_id("student-status").inner_text() == "Active"

    # ---- The student sees the new dates and the history ----
    sign_in(page, base, "student@demo.example")
    page.goto(f"{base}{reverse('programs:my-plan')}")
    milestones = page.locator("#milestones-heading + .table-responsive")
    for due_date in open_milestones.values():
        moved = due_date + dt.timedelta(days=21)
        assert milestones.get_by_text(shown(moved), exact=False).first.is_visible()
    status = page.locator("#status")
    assert status.get_by_text("Resumption of study").is_visible()
    assert status.get_by_text("Milestones moved by 21 days").is_visible()
    screenshot(page, "student-status-resumed")
    for pk, due_date in open_milestones.items():
        assert m.Milestone.objects.get(pk=pk).due_date == due_date + dt.timedelta(days=21)
