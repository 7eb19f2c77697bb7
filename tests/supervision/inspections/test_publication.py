"""Publication: de-identified snapshots (organisations and programs named, no person, counts
below five suppressed), the personal data check that blocks approval, the two-person rule,
corrections as new versions with a SHA-256 chain that detects tampering, and the per-program
audit summaries refreshed after audit runs."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from supervision.audits import engine as audit
from supervision.inspections import services
from supervision.inspections.publication import (
    audit_summary_snapshot,
    personal_data_in,
    publish_audit_summary,
    publish_report_version,
    refresh_audit_summaries,
    report_snapshot,
    suppress,
    suppress_group,
    verify_report_chain,
    verify_summary_chain,
)
from supervision.inspections.tasks import programs_of_run, refresh_audit_summaries_task
from supervision.models import (
    AuditChunk,
    AuditRun,
    Finding,
    Inspection,
    PublishedAuditSummary,
    PublishedReport,
    ReplyComment,
    ReportSection,
    SampledStudent,
)
from tests.cast import Cast
from tests.factories import JobFactory
from tests.programs.factories import ProgramFactory, StudentFactory
from tests.supervision.conftest import Findings, make_finding
from training_portal.core.draw import canonical_json

pytestmark = pytest.mark.django_db


def people_data(cast: Cast, *users: User) -> list[str]:
    """Everything that would identify a person of the cast."""
    accounts = [
        cast.program_admin,
        cast.coordinator,
        cast.other_coordinator,
        cast.tutor.user,
        cast.practice_tutor.user,
        cast.other_tutor.user,
        cast.student.user,
        cast.other_student.user,
        *users,
    ]
    data = [value for user in accounts for value in (user.full_name, user.email)]
    return [*data, cast.student.student_number, cast.other_student.student_number]


def test_counts_below_five_are_suppressed() -> None:
    assert [suppress(n) for n in (0, 1, 4, 5, 12)] == [None, None, None, 5, 12]


# ---- Report snapshots ------------------------------------------------------------------------


def test_a_published_report_names_the_program_and_no_person(
    cast: Cast, inspector: User, lead_inspector: User, published_inspection: Inspection
) -> None:
    version = published_inspection.published_versions.get(version=2)
    text = canonical_json(version.content)
    assert cast.program.code in text
    assert version.content["target"] == {
        "kind": "program",
        "id": cast.program.pk,
        "name": f"{cast.program.code} {cast.program.title}",
    }
    for value in people_data(cast, inspector, lead_inspector):
        assert value not in text
        assert value not in version.search_text


def test_small_counts_are_published_as_none(
    cast: Cast, inspector: User, inspection: Inspection
) -> None:
    services.record_inspection_finding(
        by=inspector, inspection=inspection, severity="minor", title="T", text="X"
    )
    snapshot = report_snapshot(inspection)
    assert snapshot["sample"] == {"students": None, "examined": None}
    assert snapshot["findings"]["total"] is None
    assert set(snapshot["findings"]["by_severity"].values()) == {None}
    assert snapshot["reply"] == {"comments": None, "revised_after_comment": None}


def test_counts_from_five_on_are_published(cast: Cast, inspection: Inspection) -> None:
    for position in range(2, 5):
        SampledStudent.objects.create(
            inspection=inspection,
            student=StudentFactory(program=cast.program),
            position=position,
            examined=True,
        )
    assert report_snapshot(inspection)["sample"] == {"students": 5, "examined": None}


def test_an_organisation_report_names_the_organisation(
    cast: Cast, org_inspection: Inspection
) -> None:
    snapshot = report_snapshot(org_inspection)
    assert snapshot["organization"]["name"] == "First Hospital"
    assert snapshot["program"] is None
    assert next(item["question"] for item in snapshot["checklist"]).startswith("Is the training")
    assert "note" not in snapshot["checklist"][0]


def test_the_personal_data_check_finds_names_emails_and_student_numbers(
    cast: Cast, inspection: Inspection
) -> None:
    texts = {
        "Summary": "Student Stan and OLGA OTHER were met; petra@example.org was present.",
        "Findings": f"File {cast.student.student_number} was incomplete.",
        "Clean": "The program provides structured training (Stanford method).",
    }
    problems = personal_data_in(inspection, texts)
    assert problems == [
        "“Summary” names OLGA OTHER, a person linked to this inspection.",
        "“Summary” names Student Stan, a person linked to this inspection.",
        "“Summary” contains an e-mail address (petra@example.org).",
        f"“Findings” contains the student number {cast.student.student_number}.",
    ]


def test_the_inspected_side_and_the_commenters_are_people_too(
    cast: Cast, reply_inspection: Inspection
) -> None:
    texts = {"Summary": "Cora Coordinator says the dates are wrong; Ingrid Inspector agrees."}
    assert len(personal_data_in(reply_inspection, texts)) == 2


# ---- Versions and the chain ------------------------------------------------------------------


def test_a_published_version_never_changes(published_inspection: Inspection) -> None:
    version = published_inspection.published_versions.get(version=1)
    version.title = "Changed"
    with pytest.raises(ValueError, match="never changed"):
        version.save()


def test_the_database_refuses_a_version_approved_by_its_author(
    inspector: User, inspection: Inspection
) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        publish_report_version(inspection=inspection, published_by=inspector, approved_by=inspector)


def test_a_correction_is_chained_to_the_previous_version(published_inspection: Inspection) -> None:
    first, second = PublishedReport.objects.filter(inspection=published_inspection).order_by(
        "version"
    )
    assert first.previous_hash == ""
    assert second.previous_hash == first.content_hash
    assert second.change_note == "Corrected the number of sampled files."
    assert first.change_note == ""
    assert verify_report_chain(published_inspection) == []


def test_tampering_with_a_stored_version_is_detected(published_inspection: Inspection) -> None:
    first = published_inspection.published_versions.get(version=1)
    content = {**first.content, "title": "A better title"}
    PublishedReport.objects.filter(pk=first.pk).update(content=content)
    assert verify_report_chain(published_inspection) == [
        "version 1: the content does not match its hash"
    ]


def test_rewriting_a_version_and_its_hash_breaks_the_link_to_the_next(
    published_inspection: Inspection,
) -> None:
    first = PublishedReport.objects.get(inspection=published_inspection, version=1)
    first.content = {**first.content, "title": "Rewritten"}
    PublishedReport.objects.filter(pk=first.pk).update(
        content=first.content, content_hash=first.compute_hash()
    )
    assert verify_report_chain(published_inspection) == [
        "version 2: the link to the previous version is broken"
    ]


def test_the_whole_cycle_publishes_two_chained_versions(
    cast: Cast, admin: User, inspector: User, lead_inspector: User, reply_inspection: Inspection
) -> None:
    comment = ReplyComment.objects.get(section__inspection=reply_inspection)
    services.answer_comment(
        by=inspector,
        comment=comment,
        answer="Corrected.",
        revised_body="The hospital provides structured clinical training since 2024.",
    )
    Inspection.objects.filter(pk=reply_inspection.pk).update(
        reply_closes_at=timezone.now() - dt.timedelta(seconds=1)
    )
    services.request_publication(by=inspector, inspection=reply_inspection)
    first = services.approve_publication(by=lead_inspector, inspection=reply_inspection)
    services.start_correction(by=inspector, inspection=reply_inspection)
    services.save_report_section(
        by=inspector,
        inspection=reply_inspection,
        key="findings",
        title="Findings",
        body="Training plans were current for every file examined.",
    )
    services.request_publication(
        by=inspector, inspection=reply_inspection, correction_note="Every file, not most."
    )
    second = services.approve_publication(by=admin, inspection=reply_inspection)
    assert (first.version, second.version) == (1, 2)
    assert second.previous_hash == first.content_hash
    assert second.change_note == "Every file, not most."
    assert second.content["reply"] == {"comments": None, "revised_after_comment": None}
    assert next(s["body"] for s in first.content["sections"]).endswith("since 2024.")
    assert second.content["sections"][1]["body"].startswith("Training plans were current for")
    assert ReportSection.objects.get(inspection=reply_inspection, key="summary").revision == 2
    assert verify_report_chain(reply_inspection) == []
    for value in people_data(cast, inspector, lead_inspector, admin):
        assert value not in canonical_json(second.content)


# ---- Audit summaries -------------------------------------------------------------------------


def resolve(finding: Finding) -> None:
    Finding.objects.filter(pk=finding.pk).update(
        status=Finding.Status.RESOLVED, resolved_at=timezone.now()
    )


def test_a_summary_suppresses_small_counts(cast: Cast, findings: Findings) -> None:
    summary = publish_audit_summary(program=cast.program)
    assert summary is not None and summary.version == 1
    content = summary.content
    assert content["program"]["code"] == cast.program.code
    assert content["findings"] == {"total": None, "active": None, "resolved": None}
    assert content["resolved_rate"] is None
    assert {row["count"] for row in content["by_rule"]} == {None}
    assert len(content["by_month"]) == 12
    text = canonical_json(content)
    for value in people_data(cast):
        assert value not in text


def test_a_new_version_only_when_the_figures_change(cast: Cast, findings: Findings) -> None:
    first = publish_audit_summary(program=cast.program)
    assert publish_audit_summary(program=cast.program) is None
    for _number in range(2):
        make_finding(cast.program, cast.student, student=cast.student)
    resolve(findings.about_student)
    second = publish_audit_summary(program=cast.program)
    assert first is not None and second is not None
    assert second.version == 2 and second.previous_hash == first.content_hash
    # 5 active and 1 resolved: hiding only the 1 would let anyone subtract 5 from the total
    # of 6; both are hidden, and so is the rate (a rate and a total give away both parts).
    assert second.content["findings"] == {"total": 6, "active": None, "resolved": None}
    assert second.content["resolved_rate"] is None
    assert verify_summary_chain(cast.program) == []


def test_dismissed_and_inspection_findings_do_not_count(
    cast: Cast, inspector: User, inspection: Inspection, findings: Findings
) -> None:
    for _number in range(5):
        services.record_inspection_finding(
            by=inspector, inspection=inspection, severity="minor", title="T", text="X"
        )
    make_finding(cast.program, cast.student, status=Finding.Status.DISMISSED)
    figures = audit_summary_snapshot(cast.program, timezone.localdate())["findings"]
    assert figures["total"] is None  # the four findings of the fixture


def test_tampering_with_a_summary_is_detected(cast: Cast, findings: Findings) -> None:
    summary = publish_audit_summary(program=cast.program)
    assert summary is not None
    PublishedAuditSummary.objects.filter(pk=summary.pk).update(content={"findings": {}})
    assert verify_summary_chain(cast.program) == ["version 1: the content does not match its hash"]


def make_run(program: Any = None) -> AuditRun:
    return AuditRun.objects.create(program=program, job=JobFactory(kind=audit.JOB_KIND))


def test_a_run_refreshes_the_summaries_of_its_programs(
    cast: Cast, findings: Findings, celery_eager: None, django_capture_on_commit_callbacks: Any
) -> None:
    run = make_run(cast.program)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        audit.finish_run(run.pk)
        audit.finish_run(run.pk)  # a second delivery enqueues nothing more
    # One refresh enqueued by the run (the eager refresh adds the public cache's renewal).
    enqueued = [c for c in callbacks if c.__qualname__.startswith("finish_run")]
    assert len(enqueued) == 1
    assert PublishedAuditSummary.objects.filter(program=cast.program).count() == 1
    assert refresh_audit_summaries_task(run.pk) == 0  # nothing changed since


def test_a_portal_wide_run_covers_the_programs_of_its_chunks(cast: Cast) -> None:
    other = ProgramFactory()
    run = make_run()
    for program in (cast.program, other):
        AuditChunk.objects.create(run=run, rule="supervision_gap", program=program)
    assert programs_of_run(run.pk) == sorted([cast.program.pk, other.pk])
    assert programs_of_run(0) == []
    assert refresh_audit_summaries([cast.program.pk, other.pk]) == 2


def test_a_single_hidden_count_takes_the_smallest_other_one_with_it() -> None:
    assert suppress_group({"critical": 1, "major": 6, "minor": 9}) == {
        "critical": None,
        "major": None,
        "minor": 9,
    }
    assert suppress_group({"a": 2, "b": 3, "c": 7}) == {"a": None, "b": None, "c": 7}
    assert suppress_group({"a": 5, "b": 8}) == {"a": 5, "b": 8}
    assert suppress_group({"a": 4}) == {"a": None}


def test_the_resolved_rate_is_published_only_when_both_parts_are_five_or_more(
    cast: Cast,
) -> None:
    for number in range(12):
        make_finding(
            cast.program,
            cast.student,
            status=Finding.Status.RESOLVED if number < 5 else Finding.Status.OPEN,
        )
    summary = audit_summary_snapshot(cast.program, timezone.localdate())
    assert summary["findings"] == {"total": 12, "active": 7, "resolved": 5}
    assert summary["resolved_rate"] == 41.7
    for finding in Finding.objects.filter(status=Finding.Status.OPEN)[:3]:
        finding.delete()
    summary = audit_summary_snapshot(cast.program, timezone.localdate())
    assert summary["findings"] == {"total": 9, "active": None, "resolved": None}
    assert summary["resolved_rate"] is None
    assert summary["by_severity"]["major"] == 9
