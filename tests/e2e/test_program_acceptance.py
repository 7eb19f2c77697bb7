"""The programs acceptance path in a real browser, on the demo data.

The program administrator creates a program with its four elements and three partners and
enrols a student with two tutors; the plan goes draft → submitted → tutor-approved →
approved; the student's next change makes version 2 while version 1 stays readable; a
shared progress log reaches the student and a private one does not; a quick sign-off link
works once and says so the second time.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.conf import settings
from django.core import mail

from accounts.demo import seed_demo_accounts
from accounts.models import User
from programs import models as m
from programs.demo import seed_programs_demo
from tests.factories import UserFactory

from .conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OBJECTIVES = ["Image acquisition", "Image quality", "Research methods"]
STAGES = [
    ("Coursework", "Core courses"),
    ("Clinical placement", "Hospital rotation"),
    ("Enterprise placement", "Equipment company"),
    ("Thesis research", "Thesis"),
]
MILESTONES = [
    ("Proposal defence", "Proposal", "180"),
    ("Mid-term review", "Mid-term", "365"),
    ("Practice completion", "Practice signed", "540"),
    ("Thesis submission", "Thesis in", "700"),
]
COURSES = [
    ("E2E-101", "Imaging physics", "Core", False),
    ("E2E-102", "CT and MR technology", "Core", False),
    ("E2E-103", "Image processing", "Specialty", False),
    ("E2E-104", "Research methods", "Core", False),
    ("E2E-105", "Clinical imaging practice", "Practice", False),
    ("E2E-106", "Imaging device innovation", "Innovation & entrepreneurship", True),
]
PARTNERS = [
    ("Eastbridge First Hospital (EFH)", ["Clinical practice", "Practical training"]),
    ("Riverside People's Hospital (RPH)", ["Clinical practice"]),
    ("Lumina Imaging Systems Co. (Lumina)", ["Practical training", "Funding"]),
]


def sign_in(page: Any, base: str, email: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(settings.DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")


def save(page: Any) -> None:
    page.get_by_role("button", name="Save", exact=True).click()
    page.locator(".alert-success").first.wait_for()


def test_a_program_is_built_and_a_plan_goes_through_its_workflow(
    page: Any, live_server: Any
) -> None:
    seed_demo_accounts()
    seed_programs_demo()
    newcomer = UserFactory(email="newcomer@demo.example", full_name="Nina Newcomer")
    newcomer.set_password(settings.DEMO_PASSWORD)
    newcomer.save()
    base = live_server.url
    today = dt.date.today()

    # ---- The program administrator builds the program ----
    sign_in(page, base, "progadmin@demo.example")
    page.goto(f"{base}/programs/new/")
    page.get_by_label("Code").fill("MIT-E2E")
    page.get_by_label("Title").fill("Medical Imaging Technology (E2E)")
    page.get_by_label("Discipline").fill("Medical imaging technology")
    page.get_by_label("Degree type").select_option(label="Professional master")
    page.get_by_label("Lead university").select_option(label="Eastbridge Medical University (EMU)")
    page.get_by_label("Start date").fill(today.replace(month=9, day=1).isoformat())
    page.get_by_label("Quality-assessment criteria").fill("Graduates pass the licence exam.")
    save(page)
    program = m.Program.objects.get(code="MIT-E2E")
    detail = f"{base}/programs/{program.pk}/"
    assert page.url == detail

    for title in OBJECTIVES:
        page.get_by_role("link", name="Add an objective").click()
        page.get_by_label("Title").fill(title)
        page.get_by_label("Measurable description").fill(f"{title}: assessed by an exam.")
        save(page)
    for kind, title in STAGES:
        page.get_by_role("link", name="Add a stage").click()
        page.get_by_label("Kind").select_option(label=kind)
        page.get_by_label("Title").fill(title)
        page.get_by_label("Expected months").fill("6")
        save(page)
    for (kind, title, offset), (_, stage) in zip(MILESTONES, STAGES, strict=True):
        page.get_by_role("link", name="Add a milestone").click()
        page.get_by_label("Kind").select_option(label=kind)
        page.get_by_label("Title").fill(title)
        page.get_by_label("Due (days after enrolment)").fill(offset)
        page.get_by_label("Stage").select_option(value=str(program.stages.get(title=stage).pk))
        save(page)
    for code, title, category, integrates_ie in COURSES:
        page.get_by_role("link", name="Add a course").click()
        page.get_by_label("Requirement").select_option(label="Required")
        page.get_by_label("Semester").fill("1")
        page.get_by_label("New course: code").fill(code)
        page.get_by_label("New course: title").fill(title)
        page.get_by_label("New course: credits").fill("2")
        page.get_by_label("New course: category").select_option(label=category)
        if integrates_ie:
            page.get_by_label("New course: integrates innovation & entrepreneurship").check()
        page.get_by_label("New course: delivering organisation").select_option(
            label="Eastbridge Medical University (EMU)"
        )
        save(page)
    for organisation, responsibilities in PARTNERS:
        page.get_by_role("link", name="Add a partner").click()
        page.locator("#id_organization").select_option(label=organisation)
        page.get_by_label("Agreement start").fill(today.replace(month=1, day=1).isoformat())
        page.get_by_label("Places offered").fill("3")
        for responsibility in responsibilities:
            page.get_by_label(responsibility).check()
        save(page)

    assert program.objectives.count() == 3
    assert program.stages.count() == 4
    assert program.milestone_templates.count() == 4
    assert program.curriculum.count() == 6
    assert program.curriculum.filter(course__integrates_ie=True).count() == 1
    assert program.partners.count() == 3
    screenshot(page, "program-built-en")

    # ---- Activation (a draft program takes no students), enrolment and dual supervision ----
    with page.expect_navigation():
        page.get_by_role("button", name="Activate the program").click()
    page.locator(".alert-success").first.wait_for()
    page.get_by_role("link", name="Enrol a student").click()
    page.get_by_label("E-mail of the student's account").fill("newcomer@demo.example")
    page.get_by_label("Student number").fill("E2E-0001")
    page.get_by_label("Cohort (year of entry)").fill(str(today.year))
    page.get_by_label("Enrolled on").fill(today.isoformat())
    save(page)
    student = m.Student.objects.get(student_number="E2E-0001")
    assert student.milestones.count() == 4  # instantiated from the templates
    tutor = m.TutorProfile.objects.get(user__email="tutor@demo.example")
    practice = m.TutorProfile.objects.get(user__email="practice.tutor@demo.example")
    for profile, role in [(tutor, "Academic tutor"), (practice, "Practice tutor")]:
        page.get_by_role("link", name="Assign a tutor").click()
        page.locator("#id_student").select_option(value=str(student.pk))
        page.locator("#id_tutor").select_option(value=str(profile.pk))
        page.get_by_label("Role").select_option(label=role)
        page.get_by_label("Reason to exceed the tutor's capacity").fill("Demo cohort.")
        save(page)
    assert set(student.assignments.values_list("role", flat=True)) == {"academic", "practice"}

    # ---- The plan: draft, submit ----
    sign_in(page, base, "newcomer@demo.example")
    page.goto(f"{base}/plan/")
    page.get_by_label("Career goal").select_option(index=1)
    page.get_by_label("Personal objectives").fill("Become a CT specialist.")
    page.get_by_label("Case target: CT").fill("50")
    page.get_by_role("button", name="Create the draft").click()
    page.locator(".alert-success").first.wait_for()
    page.get_by_role("button", name="Submit").click()
    page.locator(".alert-success").first.wait_for()
    assert student.plans.get().status == "submitted"

    # ---- The academic tutor approves, writes a shared and a private log ----
    sign_in(page, base, "tutor@demo.example")
    page.goto(f"{base}/students/{student.pk}/")
    page.get_by_role("button", name="Approve as tutor").click()
    page.locator(".alert-success").first.wait_for()
    for summary, shared in [("Shared: good start.", True), ("Private: watch workload.", False)]:
        page.get_by_label("Date").fill(today.isoformat())
        page.locator("#id_kind").select_option(label="Meeting")
        page.get_by_label("Minutes").fill("30")
        page.get_by_label("Summary").fill(summary)
        page.get_by_label("Shared with the student").set_checked(shared)
        page.get_by_role("button", name="Save the log").click()
        page.locator(".alert-success").first.wait_for()
    assert student.plans.get().status == "tutor_approved"

    # ---- The program administrator approves ----
    sign_in(page, base, "progadmin@demo.example")
    page.goto(f"{base}/students/{student.pk}/")
    page.get_by_role("button", name="Approve", exact=True).click()
    page.locator(".alert-success").first.wait_for()
    assert student.plans.get().status == "approved"

    # ---- The student sees the shared log only, then changes the plan: version 2 ----
    sign_in(page, base, "newcomer@demo.example")
    page.goto(f"{base}/plan/")
    assert page.get_by_text("Shared: good start.").is_visible()
    assert page.get_by_text("Private: watch workload.").count() == 0
    page.get_by_role("button", name="Start a new version").click()
    page.locator(".alert-success").first.wait_for()
    page.get_by_label("Personal objectives").fill("Become a CT and MR specialist.")
    page.get_by_role("button", name="Save the draft").click()
    page.locator(".alert-success").first.wait_for()
    plans = {p.version: p for p in student.plans.all()}
    # Version 1 stays in force, unchanged, until version 2 is approved.
    assert plans[1].status == "approved" and plans[2].status == "draft"
    assert plans[1].personal_objectives == "Become a CT specialist."
    page.get_by_text("Version 1 (Approved)").click()
    assert page.get_by_text("Become a CT specialist.").is_visible()
    screenshot(page, "plan-version-2-en")

    # ---- A quick sign-off link: once, and a clear message the second time ----
    log = m.ProgressLog.objects.get(student=student, shared=True)
    page.locator(f"form[action$='/signoff/request/log/{log.pk}/'] button").click()
    page.locator(".alert-success").first.wait_for()
    message = next(e for e in mail.outbox if "practice.tutor@demo.example" in e.to)
    link = re.search(r"https?://\S+/signoff/\S+/", message.body)
    assert link is not None
    path = link.group(0)[link.group(0).index("/signoff/") :]
    page.context.clear_cookies()  # the tutor is not signed in
    page.goto(f"{base}{path}")
    page.get_by_role("button", name="Confirm").click()
    page.locator(".alert-success").first.wait_for()
    log.refresh_from_db()
    assert log.confirmed_by == User.objects.get(email="practice.tutor@demo.example")
    page.goto(f"{base}{path}")
    assert page.get_by_text("This link has already been used").is_visible()
    screenshot(page, "signoff-used-en")
    # The used link answers 410 Gone, which the console reports; nothing else may be there.
    assert [e for e in page.csp_errors if "status of 410" not in e] == []
