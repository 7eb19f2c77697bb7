"""The whole cycle of an inspection through the pages, as the people do it in the browser:
a draw, conducting the inspection, the draft, the reply window with a comment and its answer,
publication approved by a second person; then a correction published as version 2 with an
intact hash chain."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from supervision.inspections.publication import verify_report_chain
from supervision.models import Draw, Finding, Inspection, ReplyComment, ReportSection
from tests.cast import Cast
from tests.clients import client_for

pytestmark = pytest.mark.django_db


def url(name: str, *args: Any) -> str:
    return reverse(f"inspections:{name}", args=args)


def ok(response: Any) -> Any:
    """A POST that went through redirects; anything else shows what went wrong."""
    errors = None
    if response.status_code == 200 and response.context is not None:
        errors = {
            key: value.errors
            for key, value in response.context.flatten().items()
            if hasattr(value, "errors") and value.errors
        }
    assert response.status_code == 302, errors
    return response


def test_the_whole_cycle_in_the_browser(
    cast: Cast,
    admin: User,
    inspector: User,
    lead_inspector: User,
    checklist_templates: Any,
) -> None:
    now = timezone.now()
    admin_client = client_for(admin)

    # An administrator draws the program, two of its students and two inspectors.
    ok(
        admin_client.post(
            url("draw-create"),
            {
                "target_kind": "program",
                "inspection_type": "routine",
                "targets": 1,
                "students_per_target": 2,
                "inspectors_per_target": 2,
                "candidate_programs": [cast.program.pk],
                "starts_at": timezone.localtime(now - dt.timedelta(minutes=5)).strftime(
                    "%Y-%m-%dT%H:%M"
                ),
                "ends_on": (timezone.localdate() + dt.timedelta(days=7)).isoformat(),
            },
        )
    )
    made = Draw.objects.get()
    assert admin_client.post(url("draw-verify", made.pk)).context["verification"] == []
    inspection = Inspection.objects.get(draw=made)
    author = inspection.team.get(is_author=True).inspector
    colleague = inspection.team.exclude(inspector=author).get().inspector
    team = client_for(author)

    # The team conducts it.
    ok(team.post(url("inspection-start", inspection.pk)))
    for item in inspection.checklist.all():
        ok(
            team.post(
                url("checklist-item", inspection.pk, item.pk),
                {f"item-{item.pk}-result": "met", f"item-{item.pk}-note": "Checked."},
            )
        )
    for sampled in inspection.sample.all():
        ok(
            team.post(
                url("sample-update", inspection.pk, sampled.pk),
                {f"sampled-{sampled.pk}-examined": "on"},
            )
        )
    ok(team.post(url("observations", inspection.pk), {"text": "Logbooks are complete."}))
    ok(
        team.post(
            url("evidence", inspection.pk),
            {"upload": SimpleUploadedFile("logbook.txt", b"Week 1: ok", "text/plain")},
        )
    )
    ok(
        team.post(
            url("findings", inspection.pk),
            {"severity": "minor", "title": "Late sign-offs", "text": "Some sign-offs are late."},
        )
    )
    assert Finding.objects.filter(inspection=inspection).count() == 1

    # The draft, sent for the right of reply.
    for position, (key, title, body) in enumerate(
        [
            ("summary", "Summary", "The program trains its students well since 2023."),
            ("findings", "Findings", "Sign-offs are sometimes late."),
        ]
    ):
        ok(
            team.post(
                url("report", inspection.pk),
                {
                    "new-key": key,
                    "new-title": title,
                    "new-body": body,
                    "new-position": position,
                },
            )
        )
    ok(team.post(url("reply-open", inspection.pk), {"days": 10}))

    # The program's administrator comments; the author answers and revises.
    inspected = client_for(cast.program_admin)
    summary = ReportSection.objects.get(inspection=inspection, key="summary")
    reply_page = inspected.get(url("reply", inspection.pk))
    assert "The program trains its students well since 2023." in reply_page.content.decode()
    ok(
        inspected.post(
            url("reply-comment", inspection.pk, summary.pk),
            {f"comment-{summary.pk}-text": "The program started in 2022."},
        )
    )
    comment = ReplyComment.objects.get(section=summary)
    ok(
        team.post(
            url("reply-answer", inspection.pk, comment.pk),
            {
                f"answer-{comment.pk}-answer": "Corrected.",
                f"answer-{comment.pk}-revised_body": "The program trains its students well "
                "since 2022.",
            },
        )
    )

    # The window closes; the author asks, the second person approves.
    Inspection.objects.filter(pk=inspection.pk).update(
        reply_closes_at=timezone.now() - dt.timedelta(minutes=1)
    )
    ok(team.post(url("publication-request", inspection.pk), {}))
    assert client_for(author).post(url("publication-approve", inspection.pk)).status_code == 403
    approver = colleague if colleague == lead_inspector else admin
    ok(client_for(approver).post(url("publication-approve", inspection.pk)))
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.PUBLISHED
    public = Client().get(reverse("public:report-detail", args=[inspection.pk]))
    assert public.status_code == 200
    assert "since 2022" in public.content.decode()

    # A correction: version 2, chained to version 1.
    ok(team.post(url("publication-correction", inspection.pk)))
    findings_section = ReportSection.objects.get(inspection=inspection, key="findings")
    ok(
        team.post(
            url("report-section", inspection.pk, findings_section.pk),
            {
                f"section-{findings_section.pk}-title": "Findings",
                f"section-{findings_section.pk}-body": "Sign-offs are late in one case.",
                f"section-{findings_section.pk}-position": 1,
            },
        )
    )
    ok(
        team.post(
            url("publication-request", inspection.pk),
            {"correction_note": "Said how often sign-offs are late."},
        )
    )
    ok(client_for(approver).post(url("publication-approve", inspection.pk)))
    versions = list(inspection.published_versions.order_by("version"))
    assert [v.version for v in versions] == [1, 2]
    assert versions[1].previous_hash == versions[0].content_hash
    assert versions[1].change_note == "Said how often sign-offs are late."
    assert verify_report_chain(inspection) == []
    page = inspected.get(url("publication", inspection.pk))
    html = page.content.decode()
    assert versions[0].content_hash in html and versions[1].content_hash in html
    assert page.context["chain_problems"] == []
