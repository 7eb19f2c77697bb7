"""What the rule and audit tests share: the day they run on (`TODAY`), running an audit
in-process, the findings it leaves, and `clean_program`, the cast's program with nothing to
find (the `clean` fixture of tests/supervision/conftest.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.utils import timezone, translation

from programs import models as m
from supervision.audits.engine import run_audit, start_audit
from supervision.findings.services import message_of
from supervision.models import AuditRun, Finding, ReviewMeeting
from tests.cast import Cast
from tests.factories import UserFactory
from tests.programs.factories import (
    BudgetLineFactory,
    CourseFactory,
    ExpenditureFactory,
    PlanFactory,
    ProgressLogFactory,
)
from training_portal.core.models import Job

TODAY = dt.date(2026, 6, 15)
IE = m.Course.Category.INNOVATION_ENTREPRENEURSHIP


def ago(days: int) -> dt.date:
    return TODAY - dt.timedelta(days=days)


# ---- Running audits ------------------------------------------------------------------------


def audit(
    program: m.Program | None = None, *, rules: Sequence[str] = (), as_of: dt.date = TODAY
) -> AuditRun:
    """Start an audit and run its job in-process: chunks are dispatched as a Celery group,
    which eager mode runs at once. Returns the finished run."""
    run = start_audit(user=None, program=program, rules=list(rules))
    AuditRun.objects.filter(pk=run.pk).update(as_of=as_of)
    run_audit(run.job_id)
    run.refresh_from_db()
    assert run.job.status == Job.Status.SUCCEEDED, (run.job.status, run.job.error)
    return run


def found(rule: str, **filters: Any) -> list[Finding]:
    """The active findings of a rule."""
    return list(Finding.objects.active().filter(rule=rule, **filters).order_by("pk"))


def only(rule: str, **filters: Any) -> Finding:
    findings = found(rule, **filters)
    assert len(findings) == 1, [(f.subject_id, f.details) for f in findings]
    return findings[0]


def message(finding: Finding) -> str:
    with translation.override("en"):
        return message_of(finding)


# ---- A program where everything is in order ------------------------------------------------


def clean_program(cast: Cast) -> Cast:
    """The cast's program with nothing to find as of TODAY: approved plans with an I&E
    course, milestones on time, regular contacts by each tutor, an active placement with its
    practice tutor, partners doing what they promised, a recent review meeting, and funds in
    order."""
    ie_course = CourseFactory(category=IE, delivering_organization=cast.program.lead_university)
    m.ProgramCourse.objects.create(
        program=cast.program, course=ie_course, requirement="required", semester=1
    )
    for student in (cast.student, cast.other_student):
        PlanFactory(student=student, status=m.TrainingPlan.Status.APPROVED).courses.add(ie_course)
        m.Milestone.objects.create(
            student=student, kind="proposal_defence", title="Proposal defence",
            due_date=ago(30), completed_on=ago(35),
        )  # fmt: skip
        m.Milestone.objects.create(
            student=student, kind="mid_term_review", title="Mid-term review", due_date=ago(-30)
        )
    for days in (10, 40, 70):
        ProgressLogFactory(student=cast.student, author=cast.tutor.user, date=ago(days))
        ProgressLogFactory(student=cast.other_student, author=cast.other_tutor.user, date=ago(days))
    for days in (20, 50):
        ProgressLogFactory(student=cast.student, author=cast.practice_tutor.user, date=ago(days))
    m.Placement.objects.filter(pk=cast.placement.pk).update(status=m.Placement.Status.ACTIVE)
    hospital = partner(cast, cast.hospital)
    m.PartnerResponsibility.objects.create(partner=hospital, responsibility="clinical_practice")
    ReviewMeeting.objects.create(
        program=cast.program, title="Spring review", kind="regular_review", status="held",
        held_on=ago(20), chair=cast.program_admin,
    )  # fmt: skip
    line = BudgetLineFactory(program=cast.program, holder=cast.hospital)
    spend(line, "4000.00", dt.date(2026, 3, 1), payee="Contrast Media Co.")
    spend(line, "2500.00", dt.date(2026, 4, 1), payee="Phantom Labs")
    return cast


def partner(
    c: Cast, organization: m.Organization, *, end: dt.date | None = None, active: bool = True
) -> m.ProgramPartner:
    return m.ProgramPartner.objects.create(
        program=c.program,
        organization=organization,
        agreement_start=ago(400),
        agreement_end=end,
        is_active=active,
    )


def spend(
    line: m.BudgetLine,
    amount: str,
    on: dt.date,
    *,
    status: str = "approved",
    payee: str = "Imaging Supplies Co.",
    by: Any = None,
    approver: Any = None,
) -> m.Expenditure:
    decided = status != "submitted"
    extra: dict[str, Any] = {} if by is None else {"submitted_by": by}
    expenditure = ExpenditureFactory(
        line=line,
        amount=Decimal(amount),
        spent_on=on,
        payee=payee,
        status=status,
        decided_at=timezone.now() if decided else None,
        **extra,
    )
    if decided:
        expenditure.approved_by = approver or UserFactory(full_name="Fiona Finance")
        expenditure.save(update_fields=["approved_by"])
    return expenditure
