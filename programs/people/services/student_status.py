"""A student's status lifecycle: suspension (休学), resumption, extension (延期), withdrawal
(退学), change of tutor and graduation, as the table in `programs.people.workflow` allows;
then where the graduate went (去向) and the follow-up a year later.

A program administrator makes a change at once; the student or a tutor asks for one and an
administrator approves or refuses it. Every change is a `StudentStatusChange` row.

A suspension may be asked for a future start (up to a year ahead): once approved it waits
(`awaiting_start`) and `start_due_suspensions`, run daily, suspends the student when the date
comes. The program administrators are told of each request; the requester, the student (and
their tutors, for a suspension or withdrawal) of each decision; the student and their tutors of
each change an administrator makes directly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, OuterRef, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from training_portal.core.notifications import notify
from training_portal.core.texts import choice
from training_portal.core.validation import validated_save

from ...models import (
    GraduateDestination,
    Milestone,
    Placement,
    Student,
    StudentStatusChange,
    TutorAssignment,
    TutorProfile,
)
from ...training.services.training import program_admin_users
from ..permissions import can_decide_student_status, can_record_destination
from ..workflow import TRANSITIONS, Mode, Transition, mode_for
from . import people

__all__ = [
    "Consequences",
    "change_student_status",
    "consequences_of",
    "decide_status_request",
    "record_destination",
    "record_follow_up",
    "start_due_suspensions",
]

Status = Student.Status
Kind = StudentStatusChange.Kind
Decision = StudentStatusChange.Decision
Errors = dict[str, list[str]]

#: The follow-up of a graduate's destination is due this long after the degree.
FOLLOW_UP_AFTER = dt.timedelta(days=365)
#: An extension moves milestones by at most this many days.
MAX_SHIFT_DAYS = 1095
#: A suspension may be asked for a start at most this far ahead.
MAX_SUSPENSION_AHEAD = dt.timedelta(days=365)
_NOTIFICATIONS = "programs/notifications"


@dataclass(frozen=True)
class Consequences:
    """What a suspension or withdrawal meets, for the person deciding on it: the placements
    planned or running in its period (they are not changed by it: cancel or shorten them on
    their pages) and the open milestones falling due from its start (a suspension moves them
    by its length when the student resumes; a withdrawal leaves them open)."""

    placements: list[Placement]
    milestones_due: int

    def __bool__(self) -> bool:
        return bool(self.placements or self.milestones_due)


def consequences_of(change: StudentStatusChange) -> Consequences | None:
    """What the asked-for change meets (two queries), or None for kinds that leave the
    student's training running (extension, change of tutor, graduation, resumption)."""
    if change.kind not in (Kind.SUSPENSION, Kind.WITHDRAWAL):
        return None
    start = change.starts_on or timezone.localdate()
    end = change.ends_on if change.kind == Kind.SUSPENSION and change.ends_on else dt.date.max
    placements = list(
        Placement.objects.filter(student_id=change.student_id)
        .taking_places()
        .overlapping(start, end)
        .select_related("host")
        .order_by("start_date", "pk")
    )
    due = Milestone.objects.filter(
        student_id=change.student_id, completed_on__isnull=True, due_date__gte=start
    ).count()
    return Consequences(placements=placements, milestones_due=due)


@transaction.atomic
def change_student_status(
    *,
    user: User,
    student: Student,
    action: str,
    reason: str,
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
    shift_days: int | None = None,
    tutor: TutorProfile | None = None,
    replaces: TutorAssignment | None = None,
    over_capacity_reason: str = "",
) -> StudentStatusChange:
    """Make the change (a program administrator) or ask for it (the student, a tutor)."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise ValidationError({"action": [_("This is not a change of status.")]})
    mode = mode_for(user, student, transition)
    if mode is None:
        raise PermissionDenied
    student.refresh_from_db(from_queryset=Student.objects.select_for_update())
    change = StudentStatusChange(
        student=student,
        kind=transition.kind,
        from_status=student.status,
        to_status=transition.target or student.status,
        starts_on=starts_on,
        ends_on=ends_on,
        shift_days=shift_days or 0,
        new_tutor=tutor,
        reason=(reason or "").strip(),
        requested_by=user,
    )
    errors = _errors(transition, change, replaces=replaces)
    if not change.reason:
        errors["reason"] = [_("Give a reason.")]
    if mode == Mode.DO:
        change.decision = Decision.APPROVED
        change.decided_by = user
        change.decided_at = timezone.now()
        change.awaiting_start = _starts_later(change)
    validated_save(
        change,
        errors=errors,
        exclude=["student", "requested_by", "from_status", "to_status"],
        constraint_fields={
            "programs_student_status_change_has_reason": "reason",
            "programs_student_status_change_period_order": "ends_on",
        },
    )
    if mode == Mode.REQUEST:
        _tell(
            program_admin_users(student.program).exclude(pk=user.pk),
            "status_requested",
            change=change,
            actor=user,
        )
        return change
    tutors = list(_tutor_users(student))
    if not change.awaiting_start:
        _apply(
            change,
            user=user,
            replaces=replaces,
            over_capacity_reason=over_capacity_reason,
        )
    tutors += _tutor_users(student).exclude(pk__in=[t.pk for t in tutors])
    _tell([student.user, *tutors], "status_changed", change=change, actor=user)
    return change


@transaction.atomic
def decide_status_request(
    *, user: User, change: StudentStatusChange, approve: bool, note: str = ""
) -> StudentStatusChange:
    """Approve (and make) or refuse a change the student or a tutor asked for."""
    if not can_decide_student_status(user, change.student):
        raise PermissionDenied
    student = change.student
    student.refresh_from_db(from_queryset=Student.objects.select_for_update())
    change.refresh_from_db(from_queryset=StudentStatusChange.objects.select_for_update())
    change.student = student
    if change.decision != Decision.PENDING:
        raise ValidationError({"decision": [_("This request has already been decided.")]})
    note = (note or "").strip()
    if approve:
        transition = next(t for t in TRANSITIONS.values() if t.kind == change.kind)
        change.from_status = student.status
        change.to_status = transition.target or student.status
        errors = _errors(transition, change, replaces=None)
        if errors:
            raise ValidationError(errors)
    elif not note:
        raise ValidationError({"decision_note": [_("Say why the request is refused.")]})
    change.decision = Decision.APPROVED if approve else Decision.REFUSED
    change.decided_by = user
    change.decided_at = timezone.now()
    change.decision_note = note
    change.awaiting_start = approve and _starts_later(change)
    change.save()
    told = [change.requested_by, student.user]
    if change.kind in (Kind.SUSPENSION, Kind.WITHDRAWAL):
        told += _tutor_users(student)
    if approve and not change.awaiting_start:
        _apply(change, user=user, replaces=None, over_capacity_reason="")
    _tell(told, "status_decided", change=change, actor=user)
    return change


@transaction.atomic
def start_due_suspensions(*, today: dt.date | None = None) -> int:
    """Suspend the students whose approved suspension starts on `today` or earlier: a few
    set-based updates, safe to run twice (a started suspension no longer waits). A student
    who is no longer active keeps their status; the suspension stops waiting all the same.
    Returns how many students were suspended."""
    today = today or timezone.localdate()
    due = StudentStatusChange.objects.filter(awaiting_start=True, starts_on__lte=today)
    ids = list(due.select_for_update().values_list("pk", flat=True))
    if not ids:
        return 0
    starts = StudentStatusChange.objects.filter(pk__in=ids, student=OuterRef("pk"))
    suspended = Student.objects.filter(status=Status.ACTIVE, status_changes__in=ids).update(
        status=Status.SUSPENDED,
        status_since=Subquery(starts.order_by("-starts_on").values("starts_on")[:1]),
    )
    StudentStatusChange.objects.filter(pk__in=ids).update(awaiting_start=False)
    return suspended


@transaction.atomic
def record_destination(
    *, user: User, student: Student, employer: str, kind: str, region: str, relevance: str
) -> GraduateDestination:
    """Where a graduate went; the follow-up falls due a year after the degree."""
    if not can_record_destination(user, student):
        raise PermissionDenied
    errors: Errors = {}
    if student.status != Status.GRADUATED:
        errors["student"] = [_("A destination is recorded once the student has graduated.")]
    destination = GraduateDestination.objects.filter(student=student).first()
    if destination is not None and destination.followed_up_at is not None:
        errors.setdefault("student", []).append(
            _("The follow-up has been recorded; the destination can no longer change.")
        )
    employer, region = (employer or "").strip(), (region or "").strip()
    if not employer:
        errors["employer"] = [_("Name the employer or institution.")]
    if kind not in GraduateDestination.Kind.values:
        errors["kind"] = [_("Choose the kind of destination.")]
    if not region:
        errors["region"] = [_("Give the region.")]
    if relevance not in GraduateDestination.Relevance.values:
        errors["relevance"] = [_("Say how close the work is to the field.")]
    graduated_on = student.status_since or timezone.localdate()
    if destination is None:
        destination = GraduateDestination(
            student=student, recorded_by=user, follow_up_due=graduated_on + FOLLOW_UP_AFTER
        )
    destination.employer = employer
    destination.kind = kind
    destination.region = region
    destination.relevance = relevance
    destination.recorded_by = user
    destination.recorded_at = timezone.now()
    return validated_save(destination, errors=errors, exclude=["student", "recorded_by"])


@transaction.atomic
def record_follow_up(
    *,
    user: User,
    student: Student,
    still_there: bool | None,
    current_relevance: str,
    current_employer: str = "",
    note: str = "",
) -> GraduateDestination:
    """A year on: is the graduate still there, and how close is the work to the field?"""
    if not can_decide_student_status(user, student):
        raise PermissionDenied
    destination = GraduateDestination.objects.select_for_update().filter(student=student).first()
    if destination is None:
        raise ValidationError({"student": [_("Record the graduate's destination first.")]})
    errors: Errors = {}
    if destination.followed_up_at is not None:
        errors["student"] = [_("The follow-up has already been recorded.")]
    if still_there is None:
        errors["still_there"] = [_("Say whether the graduate is still with the same employer.")]
    current_employer = (current_employer or "").strip()
    if still_there is False and not current_employer:
        errors["current_employer"] = [_("Name the graduate's current employer.")]
    if current_relevance not in GraduateDestination.Relevance.values:
        errors["current_relevance"] = [_("Say how close the current work is to the field.")]
    destination.still_there = still_there
    destination.current_employer = destination.employer if still_there else current_employer
    destination.current_relevance = current_relevance
    destination.follow_up_note = (note or "").strip()
    destination.followed_up_by = user
    destination.followed_up_at = timezone.now()
    return validated_save(
        destination, errors=errors, exclude=["student", "recorded_by", "followed_up_by"]
    )


# ---- Checks and effects ----------------------------------------------------------------------


def _errors(
    transition: Transition, change: StudentStatusChange, *, replaces: TutorAssignment | None
) -> Errors:
    """Every problem of the change at once: its status, its dates, its tutor."""
    student = change.student
    errors: Errors = {}
    if student.status not in transition.sources:
        errors["action"] = [
            _("This is not possible while the student's status is “%(status)s”.")
            % {"status": student.get_status_display()}
        ]
    today = timezone.localdate()
    needs_start = "starts_on" in transition.fields
    if needs_start and change.starts_on is None:
        errors["starts_on"] = [_("Give the date.")]
    elif needs_start and change.starts_on is not None:
        if transition.kind == Kind.SUSPENSION and change.starts_on > today + MAX_SUSPENSION_AHEAD:
            errors["starts_on"] = [
                _("A suspension can start at most a year ahead (by %(date)s).")
                % {"date": date_format(today + MAX_SUSPENSION_AHEAD, "DATE_FORMAT")}
            ]
        elif transition.kind != Kind.SUSPENSION and change.starts_on > today:
            errors["starts_on"] = [_("The date cannot be in the future.")]
        elif change.starts_on < student.enrolled_on:
            errors["starts_on"] = [_("The date cannot be before the student's enrolment.")]
    if transition.kind == Kind.SUSPENSION and change.ends_on is None:
        errors["ends_on"] = [_("Give the expected end of the suspension.")]
    if transition.kind == Kind.SUSPENSION:
        waiting = _waiting_suspension(student)
        if waiting is not None and waiting.pk != change.pk:
            errors.setdefault("action", []).append(
                _("A suspension from %(date)s is already approved.")
                % {"date": date_format(waiting.starts_on or today, "DATE_FORMAT")}
            )
    if transition.kind == Kind.RESUMPTION and change.starts_on is not None:
        suspended_on = _suspended_on(student)
        if suspended_on is not None and change.starts_on < suspended_on:
            errors.setdefault("starts_on", []).append(
                _("Study cannot resume before the suspension began (%(date)s).")
                % {"date": date_format(suspended_on, "DATE_FORMAT")}
            )
    if transition.kind == Kind.EXTENSION:
        errors.update(_extension_errors(student, change))
    if transition.kind == Kind.GRADUATION:
        missing = _missing_milestones(student)
        if missing:
            errors.setdefault("action", []).append(
                ngettext(
                    "A milestone is not complete: %(titles)s.",
                    "%(count)d milestones are not complete: %(titles)s.",
                    len(missing),
                )
                % {"count": len(missing), "titles": "; ".join(missing)}
            )
    if transition.kind == Kind.TUTOR_CHANGE:
        errors.update(_tutor_errors(student, change.new_tutor, replaces))
    return errors


def _extension_errors(student: Student, change: StudentStatusChange) -> Errors:
    errors: Errors = {}
    if change.ends_on is None:
        errors["ends_on"] = [_("Give the new expected end of study.")]
    elif change.ends_on <= student.enrolled_on:
        errors["ends_on"] = [_("The end of study must come after the enrolment.")]
    elif student.expected_end_on is not None and change.ends_on <= student.expected_end_on:
        errors["ends_on"] = [
            _("The new end must come after the current expected end (%(date)s).")
            % {"date": date_format(student.expected_end_on, "DATE_FORMAT")}
        ]
    if not 0 <= change.shift_days <= MAX_SHIFT_DAYS:
        errors["shift_days"] = [
            _("Milestones can move by 0 to %(max)d days.") % {"max": MAX_SHIFT_DAYS}
        ]
    return errors


def _tutor_errors(
    student: Student, tutor: TutorProfile | None, replaces: TutorAssignment | None
) -> Errors:
    errors: Errors = {}
    if tutor is None:
        errors["tutor"] = [_("Choose the new tutor.")]
    if replaces is not None and (replaces.student_id != student.pk or replaces.ended_on):
        errors["replaces"] = [_("Choose a current tutor of this student.")]
    elif tutor is not None and replaces is not None and replaces.role != tutor.kind:
        errors["replaces"] = [_("The new tutor must be of the same kind as the one replaced.")]
    return errors


def _missing_milestones(student: Student) -> list[str]:
    return list(
        Milestone.objects.filter(student=student, completed_on__isnull=True)
        .order_by("due_date", "id")
        .values_list("title", flat=True)
    )


def _starts_later(change: StudentStatusChange) -> bool:
    """An approved suspension that starts after today waits for its date."""
    return (
        change.kind == Kind.SUSPENSION
        and change.starts_on is not None
        and change.starts_on > timezone.localdate()
    )


def _waiting_suspension(student: Student) -> StudentStatusChange | None:
    return StudentStatusChange.objects.filter(student=student, awaiting_start=True).first()


def _suspended_on(student: Student) -> dt.date | None:
    return (
        StudentStatusChange.objects.filter(
            student=student, kind=Kind.SUSPENSION, decision=Decision.APPROVED
        )
        .order_by("-decided_at", "-id")
        .values_list("starts_on", flat=True)
        .first()
    )


def _apply(
    change: StudentStatusChange,
    *,
    user: User,
    replaces: TutorAssignment | None,
    over_capacity_reason: str,
) -> None:
    student = change.student
    kind = change.kind
    if kind == Kind.RESUMPTION:
        suspended_on = _suspended_on(student) or change.starts_on
        assert change.starts_on is not None and suspended_on is not None
        change.shift_days = (change.starts_on - suspended_on).days
        change.save(update_fields=["shift_days"])
    if change.shift_days:
        _move_open_milestones(student, days=change.shift_days)
    if kind == Kind.EXTENSION:
        student.expected_end_on = change.ends_on
    if kind == Kind.TUTOR_CHANGE:
        _change_tutor(change, user=user, replaces=replaces, reason=over_capacity_reason)
    if kind == Kind.WITHDRAWAL:
        _end_supervision(student, user=user, on=change.starts_on or timezone.localdate())
    if change.to_status != change.from_status:
        student.status = change.to_status
        student.status_since = change.starts_on or timezone.localdate()
        # A suspension still waiting for its start no longer applies once the student leaves.
        StudentStatusChange.objects.filter(student=student, awaiting_start=True).update(
            awaiting_start=False
        )
    student.save(update_fields=["status", "status_since", "expected_end_on"])


def _move_open_milestones(student: Student, *, days: int) -> None:
    Milestone.objects.filter(student=student, completed_on__isnull=True).update(
        due_date=F("due_date") + dt.timedelta(days=days)
    )


def _change_tutor(
    change: StudentStatusChange, *, user: User, replaces: TutorAssignment | None, reason: str
) -> None:
    tutor = change.new_tutor
    assert tutor is not None
    if replaces is not None and tutor.kind == TutorProfile.Kind.PRACTICE:
        people.end_assignment(
            user=user, assignment=replaces, ended_on=max(timezone.localdate(), replaces.started_on)
        )
    people.assign_tutor(
        user=user,
        student=change.student,
        tutor=tutor,
        role=tutor.kind,
        over_capacity_reason=reason,
        replace=True,
    )


def _end_supervision(student: Student, *, user: User, on: dt.date) -> None:
    current = TutorAssignment.objects.filter(student=student, ended_on__isnull=True)
    for assignment in current.select_related("tutor__user", "student"):
        people.end_assignment(
            user=user, assignment=assignment, ended_on=max(on, assignment.started_on)
        )


# ---- Who is told ---------------------------------------------------------------------------


def _tutor_users(student: Student) -> QuerySet[User]:
    """The student's current tutors, academic and practice."""
    return User.objects.filter(
        is_active=True,
        tutor_profile__assignments__student=student,
        tutor_profile__assignments__ended_on__isnull=True,
    ).distinct()


def _tell(
    recipients: Iterable[User], template: str, *, change: StudentStatusChange, actor: User
) -> None:
    """Notify each recipient once (never the actor), with a link to the page they can open."""
    student = change.student
    context = _change_context(change, actor=actor)
    seen = {actor.pk}
    for recipient in recipients:
        if recipient.pk in seen:
            continue
        seen.add(recipient.pk)
        if template == "status_requested":
            link = reverse("programs:status-decide", args=[change.pk])
        elif recipient.pk == student.user_id:
            link = reverse("programs:my-plan") + "#status"
        else:
            link = reverse("programs:student", args=[student.pk]) + "#status"
        notify(
            recipient=recipient,
            template=f"{_NOTIFICATIONS}/{template}",
            context={**context, "for_student": recipient.pk == student.user_id},
            link=link,
        )


def _change_context(change: StudentStatusChange, *, actor: User) -> dict[str, Any]:
    """What the status notifications show, as plain values (rendered when read)."""
    new_tutor = change.new_tutor
    return {
        "actor": {"full_name": actor.full_name},
        "student": people.student_context(change.student),
        "change": {
            "get_kind_display": choice(change, "kind"),
            "decision": change.decision,
            "starts_on": change.starts_on,
            "ends_on": change.ends_on,
            "awaiting_start": change.awaiting_start,
            "new_tutor": ({"user": {"full_name": new_tutor.user.full_name}} if new_tutor else None),
            "requested_by": {"full_name": change.requested_by.full_name},
            "reason": change.reason,
            "decision_note": change.decision_note,
        },
    }
