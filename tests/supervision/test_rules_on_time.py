"""Internal supervision on time: review meetings at the configured interval, and finished
inspections published within the configured number of days. Audits run through the real
path on the programs cast's clean program (see test_rules.py), as of TODAY."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from programs import models as m
from supervision.audits.services import change_rule_setting
from supervision.models import Inspection, ReviewMeeting
from supervision.rules.on_time import RULES
from tests.cast import Cast
from tests.programs.factories import OrganizationFactory, ProgramFactory
from tests.supervision.audits import ago, audit, found, message, only

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("celery_eager")]


def test_every_rule_here_has_a_positive_case() -> None:
    tested = {
        name.removeprefix("test_").split("__")[0]
        for name in globals()
        if name.startswith("test_") and "__finds" in name
    }
    assert tested == {rule.code for rule in RULES}


# ---- review_meeting_overdue ----------------------------------------------------------------


def meeting(c: Cast, days: int, status: str = "held") -> ReviewMeeting:
    return ReviewMeeting.objects.create(
        program=c.program, title="Review", kind="regular_review", status=status,
        held_on=ago(days), chair=c.program_admin,
    )  # fmt: skip


def test_review_meeting_overdue__finds_a_program_whose_last_meeting_is_too_old(
    clean: Cast,
) -> None:
    ReviewMeeting.objects.filter(program=clean.program).update(held_on=ago(91))

    audit(clean.program, rules=["review_meeting_overdue"])

    finding = only("review_meeting_overdue")
    assert (finding.subject_id, finding.program_id, finding.severity) == (
        clean.program.pk,
        clean.program.pk,
        "minor",
    )
    assert message(finding) == "No review meeting has been held for 91 days."
    assert finding.evidence == {
        "last_review_meeting": ago(91).isoformat(),
        "days_without_meeting": 91,
        "interval_days": 90,
    }


def test_review_meeting_overdue_counts_from_the_start_when_none_was_held(clean: Cast) -> None:
    ReviewMeeting.objects.filter(program=clean.program).delete()
    # A planned meeting, and one "held" in the future, are not meetings held.
    meeting(clean, 5, status="planned")
    meeting(clean, -3)

    audit(clean.program, rules=["review_meeting_overdue"])

    finding = only("review_meeting_overdue")
    days = (ago(0) - clean.program.start_date).days
    assert message(finding) == (
        f"No review meeting has been held since the program started, {days} days ago."
    )
    assert finding.evidence["last_review_meeting"] is None


def test_review_meeting_overdue_spares_programs_within_the_interval_and_drafts(
    clean: Cast,
) -> None:
    ReviewMeeting.objects.filter(program=clean.program).update(held_on=ago(90))
    young = ProgramFactory(start_date=ago(30))
    draft = ProgramFactory(start_date=ago(400), status=m.Program.Status.DRAFT)

    for program in (clean.program, young, draft):
        audit(program, rules=["review_meeting_overdue"])

    assert found("review_meeting_overdue") == []


def test_review_meeting_overdue_interval_per_program(clean: Cast) -> None:
    change_rule_setting(
        user=clean.program_admin,
        rule="review_meeting_overdue",
        program=clean.program,
        thresholds={"interval_days": 14},
    )

    audit(clean.program, rules=["review_meeting_overdue"])

    assert only("review_meeting_overdue").evidence["interval_days"] == 14


# ---- inspection_publication_late -----------------------------------------------------------


def inspection(c: Cast, *, ended: int, status: str, **target: Any) -> Inspection:
    target = target or {"program": c.program}
    return Inspection.objects.create(
        title="Routine inspection", inspection_type="routine",
        starts_at=timezone.make_aware(dt.datetime.combine(ago(ended + 3), dt.time(9))),
        ends_on=ago(ended), status=status, created_by=c.program_admin,
        cancel_reason="Called off" if status == "cancelled" else "", **target,
    )  # fmt: skip


def test_inspection_publication_late__finds_a_finished_inspection_not_published(
    clean: Cast,
) -> None:
    late = inspection(clean, ended=31, status="awaiting_approval")

    audit(clean.program, rules=["inspection_publication_late"])

    finding = only("inspection_publication_late")
    assert (finding.subject_id, finding.program_id, finding.severity) == (
        late.pk,
        clean.program.pk,
        "major",
    )
    assert message(finding) == (
        "The inspection “Routine inspection” ended 31 days ago and is not published."
    )
    assert finding.evidence == {"ended_on": ago(31).isoformat(), "days_since_end": 31}


def test_an_inspection_of_a_partner_is_reported_in_each_program_it_partners(
    clean: Cast,
) -> None:
    m.ProgramPartner.objects.create(
        program=clean.program, organization=clean.other_hospital, agreement_start=ago(500)
    )
    former = OrganizationFactory()
    m.ProgramPartner.objects.create(
        program=clean.program, organization=former, agreement_start=ago(500), is_active=False
    )
    late = inspection(clean, ended=40, status="drafting", organization=clean.other_hospital)
    inspection(clean, ended=40, status="drafting", organization=former)

    audit(clean.program, rules=["inspection_publication_late"])

    finding = only("inspection_publication_late")
    assert (finding.subject_id, finding.organization_id) == (late.pk, clean.other_hospital.pk)


def test_inspection_publication_late_spares_recent_published_and_cancelled_ones(
    clean: Cast,
) -> None:
    inspection(clean, ended=30, status="in_reply")
    inspection(clean, ended=200, status="published")
    inspection(clean, ended=200, status="cancelled")

    audit(clean.program, rules=["inspection_publication_late"])

    assert found("inspection_publication_late") == []


def test_inspection_publication_late_days_per_program(clean: Cast) -> None:
    inspection(clean, ended=10, status="drafting")
    change_rule_setting(
        user=clean.program_admin,
        rule="inspection_publication_late",
        program=clean.program,
        thresholds={"days": 7},
    )

    audit(clean.program, rules=["inspection_publication_late"])

    assert only("inspection_publication_late").evidence["days_since_end"] == 10
