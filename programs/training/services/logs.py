"""Supervision records of one student: progress logs (one entry, many uses: a logged session
is a supervision contact and, with its cases, case-log evidence), corrections after the edit
window, the student's acknowledgement, case logs and their verification, and case totals.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, Q, Subquery, Sum, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from training_portal.core.formats import format_date, format_datetime
from training_portal.core.history import history_context
from training_portal.core.notifications import notify
from training_portal.core.validation import reject_unknown_fields

from ...models import (
    CaseLog,
    Milestone,
    Placement,
    PlanCaseTarget,
    ProgressLog,
    ProgressLogCorrection,
    Project,
    Student,
    TrainingPlan,
)
from ...models.training import Modality
from ...people.permissions import is_own_student_record
from ..permissions import (
    can_acknowledge_log,
    can_record_cases,
    can_verify_case_log,
    can_write_progress_log,
)

__all__ = [
    "CASES_TO_ANSWER",
    "CASE_CORRECTABLE",
    "CASE_REVIEW",
    "LOG_FIELDS",
    "acknowledge_log",
    "add_correction",
    "answer_case_log",
    "case_review_actions",
    "case_totals",
    "edit_progress_log",
    "query_case_log",
    "record_case_log",
    "reject_case_log",
    "verify_case_log",
    "write_progress_log",
]

#: What the author may change within the edit window (`edit_progress_log(**fields)`).
LOG_FIELDS = frozenset(
    {"date", "kind", "minutes", "summary", "shared", "milestone", "project", "placement"}
)
_CASE_FIELDS = ("modality", "procedure", "count", "role")
#: What the student may correct when answering a question or a rejection.
CASE_CORRECTABLE = ("date", *_CASE_FIELDS)
Errors = dict[str, list[str]]


def _new_case_log(
    user: User,
    student: Student,
    date: dt.date,
    placement: Placement | None,
    fields: Mapping[str, Any],
) -> CaseLog:
    """The (unsaved) case log of the student's cases `fields` that `user` records."""
    return CaseLog(student=student, date=date, placement=placement, recorded_by=user, **fields)


# ---- Progress logs -------------------------------------------------------------------------


@transaction.atomic
def write_progress_log(
    *,
    user: User,
    student: Student,
    date: dt.date,
    kind: str,
    minutes: int,
    summary: str,
    shared: bool = True,
    milestone: Milestone | None = None,
    project: Project | None = None,
    placement: Placement | None = None,
    cases: Iterable[Mapping[str, Any]] = (),
) -> ProgressLog:
    """A current tutor records a supervision contact, and the cases seen in it.

    The cases become case logs linked to the log and its placement; when the author is the
    one who verifies cases of that placement (its practice tutor), they are verified at once.
    """
    if not can_write_progress_log(user, student):
        raise PermissionDenied
    log = ProgressLog(
        student=student,
        author=user,
        date=date,
        kind=kind,
        minutes=minutes,
        summary=summary,
        shared=shared,
        milestone=milestone,
        project=project,
        placement=placement,
    )
    errors = _log_errors(log)
    case_logs = [
        _new_case_log(
            user, student, log.date, placement, {name: case.get(name) for name in _CASE_FIELDS}
        )
        for case in cases
    ]
    case_errors = [
        _("Case %(number)d, %(field)s: %(message)s")
        % {"number": number, "field": _case_field_label(name), "message": message}
        for number, case_log in enumerate(case_logs, start=1)
        for name, messages in _case_errors(case_log, with_date=False).items()
        for message in messages
    ]
    if case_errors:
        errors["cases"] = case_errors
    if errors:
        raise ValidationError(errors)
    log.save()
    if case_logs:
        verified = _verifies_at_once(user, student, placement)
        now = timezone.now()
        for case_log in case_logs:
            case_log.progress_log = log
            if verified:
                case_log.verified_by, case_log.verified_at = user, now
        CaseLog.objects.bulk_create(case_logs)
    return log


@transaction.atomic
def edit_progress_log(*, user: User, log: ProgressLog, **fields: Any) -> ProgressLog:
    """The author changes the log within its edit window (any of `LOG_FIELDS`)."""
    reject_unknown_fields("edit_progress_log", fields, LOG_FIELDS)
    log.refresh_from_db(from_queryset=ProgressLog.objects.select_for_update())
    if not _is_author(user, log):
        raise PermissionDenied
    if timezone.now() >= log.editable_until():
        raise ValidationError(
            {
                NON_FIELD_ERRORS: _(
                    "This log can no longer be edited (the %(hours)d-hour window closed on "
                    "%(when)s). Append a correction instead."
                )
                % {
                    "hours": ProgressLog.EDIT_WINDOW_HOURS,
                    "when": format_datetime(log.editable_until()),
                }
            }
        )
    old_date, old_placement_id = log.date, log.placement_id
    for name, value in fields.items():
        setattr(log, name, value)
    errors = _log_errors(log)
    if errors:
        raise ValidationError(errors)
    log.save()
    if log.placement_id != old_placement_id:
        # The cases now belong to another placement: its practice tutor verifies them.
        verified = _verifies_at_once(user, log.student, log.placement)
        log.case_logs.update(
            date=log.date,
            placement=log.placement,
            verified_by=user if verified else None,
            verified_at=timezone.now() if verified else None,
        )
    elif log.date != old_date:
        log.case_logs.update(date=log.date)
    return log


@transaction.atomic
def add_correction(*, user: User, log: ProgressLog, text: str) -> ProgressLogCorrection:
    """The author appends a correction once the edit window has closed."""
    if not _is_author(user, log):
        raise PermissionDenied
    if timezone.now() < log.editable_until():
        raise ValidationError(
            {
                NON_FIELD_ERRORS: _(
                    "You can still edit this log until %(when)s; edit it instead of adding "
                    "a correction."
                )
                % {"when": format_datetime(log.editable_until())}
            }
        )
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write the correction.")})
    return ProgressLogCorrection.objects.create(log=log, author=user, text=text)


@transaction.atomic
def acknowledge_log(*, user: User, log: ProgressLog, comment: str = "") -> ProgressLog:
    """The student acknowledges a shared log (once), optionally with a comment."""
    if not can_acknowledge_log(user, log):
        raise PermissionDenied
    log.refresh_from_db(from_queryset=ProgressLog.objects.select_for_update())
    if log.acknowledged_at is None:
        log.acknowledged_at = timezone.now()
    comment = (comment or "").strip()
    if comment:
        log.student_comment = comment
    log.save(update_fields=["acknowledged_at", "student_comment"])
    return log


# ---- Case logs -----------------------------------------------------------------------------


@transaction.atomic
def record_case_log(
    *,
    user: User,
    student: Student,
    date: dt.date,
    modality: str,
    procedure: str,
    count: int,
    role: str,
    placement: Placement | None = None,
) -> CaseLog:
    """The student or a current tutor records cases; the verifying tutor's own are verified."""
    if not can_record_cases(user, student):
        raise PermissionDenied
    fields = {"modality": modality, "procedure": procedure, "count": count, "role": role}
    case_log = _new_case_log(user, student, date, placement, fields)
    errors = _case_errors(case_log, with_date=True)
    if placement is not None and placement.student_id != student.pk:
        errors.setdefault("placement", []).append(_("This placement is another student's."))
    if errors:
        raise ValidationError(errors)
    if _verifies_at_once(user, student, placement):
        case_log.verified_by, case_log.verified_at = user, timezone.now()
    case_log.save()
    return case_log


#: The review of a case log: action -> (states it starts from, who: "verifier" is the
#: placement's practice tutor (else a current practice tutor), "student" the student).
#: Case logs waiting for their student: queried or rejected, not verified since.
CASES_TO_ANSWER = Q(verified_at__isnull=True) & (
    Q(rejected_at__isnull=False) | Q(queried_at__isnull=False)
)

CASE_REVIEW: dict[str, tuple[tuple[str, ...], str]] = {
    "verify": (("pending", "queried"), "verifier"),
    "query": (("pending",), "verifier"),
    "reject": (("pending", "queried"), "verifier"),
    "answer": (("queried", "rejected"), "student"),
}


def case_review_actions(user: Any, case_log: CaseLog) -> list[str]:
    """The review actions `user` may take on the case log now."""
    return [
        action
        for action, (states, who) in CASE_REVIEW.items()
        if case_log.review_state in states and _reviews_as(user, case_log, who)
    ]


def _reviews_as(user: Any, case_log: CaseLog, who: str) -> bool:
    if who == "student":
        return is_own_student_record(user, case_log.student)
    return can_verify_case_log(user, case_log)


def _review(user: User, case_log: CaseLog, action: str) -> None:
    """Lock the case log; 403 for who may not take the action, 400 from a wrong state."""
    case_log.refresh_from_db(from_queryset=CaseLog.objects.select_for_update(of=("self",)))
    states, who = CASE_REVIEW[action]
    if not _reviews_as(user, case_log, who):
        raise PermissionDenied
    state = case_log.review_state
    if state in states:
        return
    if state == "verified":
        message = _("These cases were already verified on %(date)s.") % {
            "date": format_date(case_log.verified_at or timezone.now())
        }
    elif state == "rejected":
        message = _("These cases were rejected; the student corrects them first.")
    elif state == "queried":
        message = _("These cases already wait for the student's answer.")
    else:
        message = _("There is no question or rejection to answer on these cases.")
    raise ValidationError({NON_FIELD_ERRORS: [message]})


@transaction.atomic
def verify_case_log(*, user: User, case_log: CaseLog) -> CaseLog:
    """The practice tutor (of the placement, if any) confirms the cases."""
    _review(user, case_log, "verify")
    case_log.verified_by, case_log.verified_at = user, timezone.now()
    case_log.queried_at = None
    with history_context(user=user.pk):
        case_log.save(update_fields=["verified_by", "verified_at", "queried_at"])
    return case_log


@transaction.atomic
def query_case_log(*, user: User, case_log: CaseLog, question: str) -> CaseLog:
    """The verifying tutor asks the student a question before deciding."""
    _review(user, case_log, "query")
    question = (question or "").strip()
    if not question:
        raise ValidationError({"question": [_("Write the question for the student.")]})
    case_log.query, case_log.queried_at, case_log.answer = question, timezone.now(), ""
    with history_context(user=user.pk):
        case_log.save(update_fields=["query", "queried_at", "answer"])
    _tell_student(case_log, "case_queried", actor=user, note=question)
    return case_log


@transaction.atomic
def reject_case_log(*, user: User, case_log: CaseLog, reason: str) -> CaseLog:
    """The verifying tutor rejects the cases, with a reason the student sees; rejected cases
    do not count in the totals until the student corrects them."""
    _review(user, case_log, "reject")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the cases are rejected.")]})
    case_log.rejection_reason, case_log.rejected_by = reason, user
    case_log.rejected_at, case_log.queried_at = timezone.now(), None
    with history_context(user=user.pk):
        case_log.save(
            update_fields=["rejection_reason", "rejected_by", "rejected_at", "queried_at"]
        )
    _tell_student(case_log, "case_rejected", actor=user, note=reason)
    return case_log


def _tell_student(case_log: CaseLog, template: str, *, actor: User, note: str) -> None:
    """The student learns (in the portal, and by e-mail) that their cases wait for them."""
    student_user = case_log.student.user
    notify(
        recipient=student_user,
        template=f"programs/notifications/{template}",
        context={
            # Plain values: the notification is rendered again in the reader's language.
            "case_log": {"date": case_log.date, "procedure": case_log.procedure},
            "actor": {"full_name": actor.full_name},
            "note": note,
        },
        link=reverse("programs:my-cases-to-answer"),
    )


@transaction.atomic
def answer_case_log(
    *, user: User, case_log: CaseLog, answer: str = "", **corrections: Any
) -> CaseLog:
    """The student answers a question or corrects rejected cases (any of date, modality,
    procedure, count, role): the cases go back to the tutor to verify."""
    reject_unknown_fields("answer_case_log", corrections, CASE_CORRECTABLE)
    _review(user, case_log, "answer")
    answer = (answer or "").strip()
    changed = {name for name, value in corrections.items() if getattr(case_log, name) != value}
    for name in changed:
        setattr(case_log, name, corrections[name])
    errors = _case_errors(case_log, with_date=True) if changed else {}
    if not answer and not changed:
        errors.setdefault("answer", []).append(_("Answer the question or correct the cases."))
    if errors:
        raise ValidationError(errors)
    case_log.answer = answer
    case_log.queried_at = case_log.rejected_at = case_log.rejected_by = None
    with history_context(user=user.pk):
        case_log.save()
    return case_log


def case_totals(*, student: Student) -> list[dict[str, Any]]:
    """Cases per modality (all, verified) against the targets of the student's plan.

    The plan is the approved version, or the latest one when none is approved yet. Only
    modalities with cases or a target are listed, in the catalogue's order.
    """
    plan = (
        TrainingPlan.objects.filter(student=student)
        .exclude(status=TrainingPlan.Status.SUPERSEDED)
        .order_by(
            Case(When(status=TrainingPlan.Status.APPROVED, then=Value(0)), default=Value(1)),
            "-version",
        )
        .values("pk")[:1]
    )
    targets = dict(
        PlanCaseTarget.objects.filter(plan_id=Subquery(plan)).values_list("modality", "target")
    )
    totals = {
        row["modality"]: row
        for row in CaseLog.objects.filter(student=student)
        .totals_by_modality()
        .annotate(verified=Sum("count", filter=Q(verified_at__isnull=False)))
    }
    return [
        {
            "modality": modality.value,
            "label": str(modality.label),
            "total": totals.get(modality.value, {}).get("total") or 0,
            "verified": totals.get(modality.value, {}).get("verified") or 0,
            "target": targets.get(modality.value),
        }
        for modality in Modality
        if modality.value in totals or modality.value in targets
    ]


# ---- Helpers -------------------------------------------------------------------------------


def _is_author(user: User, log: ProgressLog) -> bool:
    return bool(getattr(user, "is_authenticated", False) and log.author_id == user.pk)


def _case_field_label(name: str) -> str:
    if name == NON_FIELD_ERRORS:
        return _("case")
    return str(getattr(CaseLog._meta.get_field(name), "verbose_name", name))


def _not_in_future(value: Any) -> list[str]:
    if isinstance(value, dt.date) and value > timezone.localdate():
        return [_("The date cannot be in the future.")]
    return []


def _before_enrolment(value: Any, student: Student) -> list[str]:
    if isinstance(value, dt.date) and value < student.enrolled_on:
        return [
            _("The date cannot be before the student's enrolment (%(date)s).")
            % {"date": format_date(student.enrolled_on)}
        ]
    return []


def case_date_errors(value: Any, student: Student) -> list[str]:
    """A case's date is neither in the future nor before the student's enrolment (the form
    shows it with the field errors; the services check it again)."""
    return _not_in_future(value) or _before_enrolment(value, student)


def _log_errors(log: ProgressLog) -> Errors:
    """Field errors of a progress log about to be saved (values are cleaned in place)."""
    errors: Errors = {}
    try:
        log.full_clean(
            exclude=["student", "author", "milestone", "project", "placement"],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if "date" not in errors and (future := _not_in_future(log.date)):
        errors["date"] = future
    if "date" not in errors and (early := _before_enrolment(log.date, log.student)):
        errors["date"] = early  # its cases share the log's date
    if isinstance(log.minutes, int) and not 1 <= log.minutes <= 24 * 60:
        errors["minutes"] = [_("Minutes must be between 1 and 1440.")]
    if log.milestone is not None and log.milestone.student_id != log.student_id:
        errors["milestone"] = [_("This milestone is another student's.")]
    if log.placement is not None and log.placement.student_id != log.student_id:
        errors["placement"] = [_("This placement is another student's.")]
    if (
        log.project is not None
        and not log.project.members.filter(user_id=log.student.user_id).exists()
    ):
        errors["project"] = [_("The student is not a member of this project.")]
    return errors


def _case_errors(case_log: CaseLog, *, with_date: bool) -> Errors:
    """Field errors of a case log about to be saved (values are cleaned in place)."""
    errors: Errors = {}
    exclude = ["student", "placement", "progress_log", "recorded_by", "verified_by"]
    try:
        case_log.full_clean(
            exclude=exclude if with_date else [*exclude, "date"],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as exc:
        errors.update(exc.message_dict)
    wrong = case_date_errors(case_log.date, case_log.student) if with_date else []
    if wrong and "date" not in errors:
        errors["date"] = wrong
    if isinstance(case_log.count, int) and not 1 <= case_log.count <= 1000:
        errors["count"] = [_("The count must be between 1 and 1000.")]
    return errors


def _verifies_at_once(user: User, student: Student, placement: Placement | None) -> bool:
    """Whether cases `user` records are verified by recording them (same predicate as
    verifying them afterwards: the placement's practice tutor, else a practice tutor)."""
    return can_verify_case_log(user, CaseLog(student=student, placement=placement))
