"""The external inspection cycle in a real browser, on the demo programs.

A portal administrator makes a double random draw (targets and inspectors) that schedules an
inspection of Eastbridge First Hospital; the drawn author starts it, fills the checklist,
examines the sampled student, records an observation and a finding, writes the draft and
opens the reply window; the hospital's coordinator comments on a section; the author answers
and revises it; once the window has closed the author requests publication and cannot approve
it; the other (lead) inspector approves and the public, signed out, reads the report with its
hash. Then a correction: version 2, approved by a portal administrator, chained to version 1,
and the public verification page says the chain is intact.

Pages are driven by their form actions and field ids (the forms' prefixes), not by their
translated labels. The test's clock is the ORM: the reply window is closed by moving its end
into the past.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, cast

import pytest
from django.conf import settings
from django.utils import timezone

from accounts.demo import seed_demo_accounts
from accounts.models import User
from programs.demo import PROGRAM_CODE, seed_programs_demo
from programs.models import Organization, Program
from supervision.inspections import services
from supervision.models import (
    Draw,
    Finding,
    Inspection,
    InspectionTeamMember,
    InspectionType,
    InspectorProfile,
    PublishedReport,
    ReplyComment,
    ReportSection,
)
from tests.factories import UserFactory

from .conftest import screenshot, sign_in, submit

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("celery_eager"),
]

HOSPITAL = "Eastbridge First Hospital"
#: Two lead inspectors: whichever the draw makes the author, the other may approve (the
#: author's own lead status must not let them approve their own report).
INSPECTORS = [
    ("ivy.inspector@e2e.example", "Ivy Inspector"),
    ("lars.lead@e2e.example", "Lars Lead"),
]
SUMMARY = "Clinical training at the hospital is structured and supervised."
FINDINGS = "Training plans were current for the files examined."
REVISED = "Clinical training at the hospital has been structured and supervised since 2024."
CORRECTED = "Training plans were current for all files examined, including the sampled one."


def form_button(action_end: str) -> str:
    return f"form[action$='{action_end}'] button"


def csrf_token(page: Any) -> str:
    """The token htmx sends, from the page's body (the layout puts it there)."""
    headers = page.locator("body").get_attribute("hx-headers")
    return str(json.loads(headers)["X-CSRFToken"])


def make_inspectors() -> list[User]:
    users = []
    for email, name in INSPECTORS:
        user = cast(User, UserFactory(email=email, full_name=name))
        user.set_password(settings.DEMO_PASSWORD)
        user.save()
        InspectorProfile.objects.create(user=user, is_lead=True, expertise="Clinical training")
        users.append(user)
    return users


def test_an_inspection_is_drawn_conducted_replied_to_published_and_corrected(
    page: Any, live_server: Any, settings: Any
) -> None:
    # Public pages are cached for a minute by default: the public must see each version.
    settings.PUBLIC_CACHE_SECONDS = 0
    seed_demo_accounts()
    seed_programs_demo()
    admin = User.objects.get(email="admin@demo.example")
    coordinator = User.objects.get(email="coordinator@demo.example")
    make_inspectors()
    services.save_checklist_template(
        by=admin,
        inspection_type=InspectionType.ROUTINE,
        title="Routine inspection",
        items=[
            {"section": "Governance", "text": "Is the agreement current?", "guidance": ""},
            {"section": "Training", "text": "Are training plans approved?", "guidance": ""},
        ],
    )
    hospital = Organization.objects.get(name=HOSPITAL)
    program = Program.objects.get(code=PROGRAM_CODE)
    base = live_server.url
    now = timezone.localtime()

    # ---- The portal administrator draws the target, a student and the inspectors ----
    sign_in(page, base, "admin@demo.example")
    page.goto(f"{base}/inspections/draws/new/")
    page.locator("#id_target_kind").select_option(Draw.TargetKind.ORGANIZATION)
    page.locator("#id_inspection_type").select_option(InspectionType.ROUTINE)
    page.locator("#id_targets").fill("1")
    page.locator("#id_students_per_target").fill("1")
    page.locator("#id_inspectors_per_target").fill("2")
    page.locator("#id_candidate_organizations").select_option([str(hospital.pk)])
    page.locator("#id_seed").fill("e2e-acceptance-2026")
    page.locator("#id_starts_at").fill((now - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    page.locator("#id_ends_on").fill((now.date() + dt.timedelta(days=7)).isoformat())
    submit(page, "form:has(#id_target_kind) button[type=submit]")
    made = Draw.objects.get()
    assert page.url == f"{base}/inspections/draws/{made.pk}/"
    inspection = Inspection.objects.get(draw=made)
    assert inspection.organization == hospital
    assert inspection.sample.count() == 1
    screenshot(page, "inspection-draw-en")
    team = {
        member.is_author: member.inspector
        for member in InspectionTeamMember.objects.filter(inspection=inspection)
    }
    author, second = team[True], team[False]
    pk = inspection.pk
    workspace = f"{base}/inspections/{pk}"

    # ---- The author starts the inspection and conducts it ----
    sign_in(page, base, author.email)
    page.goto(f"{workspace}/")
    submit(page, form_button(f"/inspections/{pk}/start/"))
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.IN_PROGRESS

    page.goto(f"{workspace}/checklist/")
    items = list(inspection.checklist.order_by("position"))
    for item, result in zip(items, ["met", "partly_met"], strict=True):
        row = page.locator(f"#item-{item.pk}")
        row.locator(f"#id_item-{item.pk}-result").select_option(result)
        row.locator(f"#id_item-{item.pk}-note").fill("Checked on site.")
        row.locator("button[type=submit]").click()
        # htmx swaps the row in place and says it was saved.
        page.locator(f"#item-{item.pk} [role=status]").wait_for()
    assert set(inspection.checklist.values_list("result", flat=True)) == {"met", "partly_met"}

    sampled = inspection.sample.get()
    page.goto(f"{workspace}/sample/")
    row = page.locator(f"#sampled-{sampled.pk}")
    row.locator(f"#id_sampled-{sampled.pk}-examined").check()
    row.locator(f"#id_sampled-{sampled.pk}-note").fill("Plan, logs and case log reviewed.")
    row.locator("button[type=submit]").click()
    page.locator(f"#sampled-{sampled.pk} [role=status]").wait_for()
    sampled.refresh_from_db()
    assert sampled.examined

    page.goto(f"{workspace}/observations/")
    page.locator("#id_text").fill("The sampled student's case log is verified weekly.")
    page.locator("#id_sampled_student").select_option(str(sampled.pk))
    submit(page, "form:has(#id_text) button[type=submit]")
    assert inspection.observations.get().sampled_student == sampled

    page.goto(f"{workspace}/findings/")
    page.locator("#id_severity").select_option("minor")
    page.locator("#id_title").fill("Late countersignature of case logs")
    page.locator("#id_text").fill("Some case logs were countersigned weeks after the cases.")
    page.locator("#id_program").select_option(str(program.pk))
    submit(page, "form:has(#id_title) button[type=submit]")
    finding = Finding.objects.get(inspection=inspection)
    assert (finding.rule, finding.author, finding.program) == (
        Finding.INSPECTION_RULE,
        author,
        program,
    )

    # ---- The draft report, then the reply window ----
    page.goto(f"{workspace}/report/")
    for position, (key, title, body) in enumerate(
        [("summary", "Summary", SUMMARY), ("findings", "Findings", FINDINGS)]
    ):
        page.locator("#id_new-key").fill(key)
        page.locator("#id_new-title").fill(title)
        page.locator("#id_new-body").fill(body)
        page.locator("#id_new-position").fill(str(position))
        submit(page, "form:has(#id_new-key) button[type=submit]")
    summary = ReportSection.objects.get(inspection=inspection, key="summary")
    findings = ReportSection.objects.get(inspection=inspection, key="findings")
    page.locator("#id_days").fill("10")
    submit(page, form_button(f"/inspections/{pk}/reply/open/"))
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.IN_REPLY
    assert page.url == f"{workspace}/reply/"
    screenshot(page, "inspection-reply-open-en")

    # ---- The hospital's coordinator comments on a section ----
    sign_in(page, base, coordinator.email)
    page.goto(f"{workspace}/reply/")
    page.locator(f"#id_comment-{summary.pk}-text").fill(
        "The training has been structured since 2024, not only this year."
    )
    submit(page, form_button(f"/reply/sections/{summary.pk}/comment/"))
    comment = ReplyComment.objects.get(section=summary)
    assert comment.author == coordinator

    # ---- The author answers and revises the section ----
    sign_in(page, base, author.email)
    page.goto(f"{workspace}/reply/")
    page.locator(f"#id_answer-{comment.pk}-answer").fill("Agreed; the draft now says so.")
    page.locator(f"#id_answer-{comment.pk}-revised_body").fill(REVISED)
    submit(page, form_button(f"/reply/comments/{comment.pk}/answer/"))
    comment.refresh_from_db()
    summary.refresh_from_db()
    assert comment.answered_by == author and comment.draft_revised
    assert (summary.body, summary.revision) == (REVISED, 2)

    # ---- The window closes (the test's clock), the author requests publication ----
    Inspection.objects.filter(pk=pk).update(
        reply_closes_at=timezone.now() - dt.timedelta(minutes=1)
    )
    page.goto(f"{workspace}/publication/")
    submit(page, form_button(f"/inspections/{pk}/publication/request/"))
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.AWAITING_APPROVAL

    # The author, a lead inspector too, cannot approve: no button, and a 403 if they try.
    assert page.locator(f"form[action$='/inspections/{pk}/publication/approve/']").count() == 0
    refused = page.request.post(
        f"{workspace}/publication/approve/",
        headers={"X-CSRFToken": csrf_token(page), "Referer": f"{workspace}/publication/"},
    )
    assert refused.status == 403
    assert not PublishedReport.objects.filter(inspection=inspection).exists()

    # ---- The second inspector approves: version 1 is published ----
    sign_in(page, base, second.email)
    page.goto(f"{workspace}/publication/")
    submit(page, form_button(f"/inspections/{pk}/publication/approve/"))
    first = PublishedReport.objects.get(inspection=inspection)
    assert (first.version, first.published_by, first.approved_by) == (1, author, second)
    assert first.previous_hash == ""

    # ---- The public reads it, signed out, with its hash ----
    page.context.clear_cookies()
    page.goto(f"{base}/public/reports/{pk}/")
    assert page.locator("h1").first.inner_text() == inspection.title
    assert page.get_by_text(REVISED).is_visible()
    assert page.locator("code.hash[data-version='1']").inner_text() == first.content_hash
    assert coordinator.full_name not in page.content()
    screenshot(page, "inspection-public-v1-en")

    # ---- A correction: the author revises, requests with a note; an administrator approves
    sign_in(page, base, author.email)
    page.goto(f"{workspace}/publication/")
    with page.expect_navigation():
        page.locator(form_button(f"/inspections/{pk}/publication/correction/")).click()
    page.locator(".alert-success").first.wait_for()
    assert page.url == f"{workspace}/report/"
    page.locator(f"#id_section-{findings.pk}-body").fill(CORRECTED)
    submit(page, form_button(f"/inspections/{pk}/report/{findings.pk}/"))
    page.goto(f"{workspace}/publication/")
    page.locator("#id_correction_note").fill("The findings section now covers every file.")
    submit(page, form_button(f"/inspections/{pk}/publication/request/"))
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.AWAITING_APPROVAL
    assert page.locator(f"form[action$='/inspections/{pk}/publication/approve/']").count() == 0

    sign_in(page, base, "admin@demo.example")
    page.goto(f"{workspace}/publication/")
    submit(page, form_button(f"/inspections/{pk}/publication/approve/"))
    versions = list(PublishedReport.objects.filter(inspection=inspection).order_by("version"))
    assert [v.version for v in versions] == [1, 2]
    second_version = versions[1]
    assert second_version.previous_hash == first.content_hash
    assert second_version.change_note == "The findings section now covers every file."
    assert second_version.approved_by == admin
    # Version 1 never changed.
    assert PublishedReport.objects.get(pk=first.pk).content_hash == first.content_hash

    # ---- The public reads version 2, chained to version 1, and verifies the chain ----
    page.context.clear_cookies()
    page.goto(f"{base}/public/reports/{pk}/")
    assert page.get_by_text(CORRECTED).is_visible()
    assert page.locator("code.hash[data-version='2']").inner_text() == second_version.content_hash
    assert page.locator("code.hash[data-version='1']").inner_text() == first.content_hash
    # Version 1's hash twice: its own, and version 2's link to it.
    assert page.locator("code", has_text=first.content_hash).count() == 2
    screenshot(page, "inspection-public-v2-en")
    page.locator(f"a[href$='/public/reports/{pk}/verify/']").first.click()
    page.wait_for_url(f"{base}/public/reports/{pk}/verify/")
    assert page.locator("#chain-verdict").get_attribute("data-verdict") == "intact"
    assert page.locator("tr[data-version][data-ok='yes']").count() == 2
    screenshot(page, "inspection-chain-verified-en")
    # The refused POST above is the only error the console may report.
    assert [e for e in page.csp_errors if "403" not in e] == []
