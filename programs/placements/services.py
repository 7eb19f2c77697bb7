"""Placements: planned by program administrators, started (confirmed) by the host's
coordinator, completed with the host's short evaluation, or cancelled.

`TRANSITIONS` is the one table of the lifecycle: which action moves a placement from which
statuses to which, and who may take it. The pages (their buttons) and the API (its actions)
read it through `allowed_actions` and the services below.

Capacity: a partner of the student's program offers a number of places
(`ProgramPartner.places_offered`); planned and active placements of that program at that host
whose periods overlap take them. Planning or starting a placement beyond the places offered
needs a reason, which is stored with the placement.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy

from accounts.models import User
from training_portal.core.history import history_context
from training_portal.core.permissions import is_active_user
from training_portal.core.validation import validated_save

from ..design import workflow
from ..models import Organization, Placement, ProgramPartner, Student, TutorProfile
from ..scopes import coordinated_organization_ids, coordinates
from .permissions import can_manage_placements

__all__ = [
    "START_NOTICE_DAYS",
    "TRANSITIONS",
    "Capacity",
    "allowed_actions",
    "cancel_placement",
    "capacity_for",
    "complete_placement",
    "confirm_placement",
    "confirmable_by",
    "create_placement",
    "placements_to_confirm",
    "planned_placements_hosted_by",
    "roles_on",
    "start_placement",
    "update_placement",
]

Status = Placement.Status
Errors = dict[str, list[str]]

#: Who acts on a placement, as the transition table names them.
PROGRAM_ADMIN = "program_admin"
HOST_COORDINATOR = "host_coordinator"
PRACTICE_TUTOR = "practice_tutor"

#: The host's coordinator may confirm the start up to this many days before the start date
#: (the student often arrives early for the induction); never earlier.
START_NOTICE_DAYS = 14


@dataclass(frozen=True)
class Move:
    """One row of the transition table."""

    sources: tuple[str, ...]
    target: str
    roles: frozenset[str]
    label: Promise


#: action -> (from statuses, to status, roles allowed). "edit" keeps the status.
TRANSITIONS: dict[str, Move] = {
    "edit": Move(
        (Status.PLANNED,),
        Status.PLANNED,
        frozenset({PROGRAM_ADMIN}),
        pgettext_lazy("placement action", "Edit"),
    ),
    "start": Move(
        (Status.PLANNED,),
        Status.ACTIVE,
        frozenset({HOST_COORDINATOR}),
        pgettext_lazy("placement action", "Confirm the start"),
    ),
    "complete": Move(
        (Status.ACTIVE,),
        Status.COMPLETED,
        frozenset({HOST_COORDINATOR, PRACTICE_TUTOR}),
        pgettext_lazy("placement action", "Complete"),
    ),
    "cancel": Move(
        (Status.PLANNED, Status.ACTIVE),
        Status.CANCELLED,
        frozenset({PROGRAM_ADMIN, HOST_COORDINATOR}),
        pgettext_lazy("placement action", "Cancel"),
    ),
}

_NOT_FROM = {
    Status.PLANNED: gettext_lazy("This placement is planned; it has not started yet."),
    Status.ACTIVE: gettext_lazy("This placement has already started."),
    Status.COMPLETED: gettext_lazy("This placement is completed; it no longer changes."),
    Status.CANCELLED: gettext_lazy("This placement is cancelled; it no longer changes."),
}


def roles_on(user: Any, placement: Placement) -> set[str]:
    """The roles of the transition table that `user` holds on `placement`."""
    roles: set[str] = set()
    if can_manage_placements(user, placement.student.program):
        roles.add(PROGRAM_ADMIN)
    if coordinates(user, placement.host):
        roles.add(HOST_COORDINATOR)
    tutor = placement.practice_tutor
    if tutor is not None and is_active_user(user) and tutor.user_id == user.pk:
        roles.add(PRACTICE_TUTOR)
    return roles


def allowed_actions(user: Any, placement: Placement) -> list[str]:
    """The actions `user` may take on `placement` now (in the table's order)."""
    held = roles_on(user, placement)
    return [
        action
        for action, move in TRANSITIONS.items()
        if placement.status in move.sources and held & move.roles
    ]


def _authorise(user: Any, placement: Placement, action: str) -> None:
    """403 for a role the table does not name; then 400 for a status it does not start from."""
    move = TRANSITIONS[action]
    if not roles_on(user, placement) & move.roles:
        raise PermissionDenied
    if placement.status not in move.sources:
        raise ValidationError({NON_FIELD_ERRORS: [str(_NOT_FROM[Status(placement.status)])]})


def _locked(placement: Placement) -> Placement:
    return (
        Placement.objects.select_for_update(of=("self",))
        .select_related("student__program", "host", "practice_tutor")
        .get(pk=placement.pk)
    )


# ---- Capacity ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Capacity:
    """Places the host offers the program (None: not a partner, no limit declared) and the
    places taken by other planned or active placements overlapping the period."""

    offered: int | None
    used: int

    @property
    def full(self) -> bool:
        return self.offered is not None and self.used >= self.offered


def capacity_for(
    *,
    student: Student,
    host: Organization,
    start_date: dt.date,
    end_date: dt.date,
    excluding: Placement | None = None,
    started_only: bool = False,
) -> Capacity:
    """Planning counts planned and active placements; starting one counts the started ones
    (a planned placement had its place counted, or its override given, when planned)."""
    offered = (
        ProgramPartner.objects.filter(program_id=student.program_id, organization=host)
        .values_list("places_offered", flat=True)
        .first()
    )
    others = Placement.objects.taking_places().filter(
        host=host, student__program_id=student.program_id
    )
    if excluding is not None:
        others = others.exclude(pk=excluding.pk)
    if started_only:
        others = others.filter(status=Status.ACTIVE)
    return Capacity(offered=offered, used=others.overlapping(start_date, end_date).count())


def _capacity_errors(capacity: Capacity, host: Organization, reason: str) -> Errors:
    if not capacity.full or reason:
        return {}
    offered = capacity.offered or 0  # full implies a declared capacity
    message = ngettext(
        "%(host)s offers %(offered)d place to this program and %(used)d are taken in this "
        "period. Give a reason to go beyond the capacity.",
        "%(host)s offers %(offered)d places to this program and %(used)d are taken in this "
        "period. Give a reason to go beyond the capacity.",
        offered,
    ) % {"host": host, "offered": offered, "used": capacity.used}
    return {"capacity_override_reason": [message]}


def _capacity_errors_of(
    placement: Placement, reason: str, *, excluding: Placement | None, started_only: bool = False
) -> Errors:
    """The host's capacity for the placement's period, unless a reason to go beyond it is given."""
    capacity = capacity_for(
        student=placement.student,
        host=placement.host,
        start_date=placement.start_date,
        end_date=placement.end_date,
        excluding=excluding,
        started_only=started_only,
    )
    return _capacity_errors(capacity, placement.host, reason)


# ---- The lifecycle -------------------------------------------------------------------------


@transaction.atomic
def create_placement(
    *,
    user: User,
    student: Student,
    host: Organization,
    start_date: dt.date,
    end_date: dt.date,
    objectives: str,
    practice_tutor: TutorProfile | None = None,
    capacity_override_reason: str = "",
) -> Placement:
    """Plan a placement of a student with a host organisation (and its practice tutor)."""
    if not can_manage_placements(user, student.program):
        raise PermissionDenied
    reason = (capacity_override_reason or "").strip()
    errors = practice_tutor_errors(practice_tutor, host)
    if not workflow.allows(student.program, "place"):
        errors[NON_FIELD_ERRORS] = [workflow.refusal(student.program, "place")]
    if student.status != Student.Status.ACTIVE:
        errors[NON_FIELD_ERRORS] = [
            *errors.get(NON_FIELD_ERRORS, []),
            _(
                "%(student)s is not an active student (%(status)s); plan placements only for "
                "active students."
            )
            % {"student": student.user, "status": student.get_status_display()},
        ]
    errors.update(_host_errors(host, student))
    placement = Placement(
        student=student,
        host=host,
        practice_tutor=practice_tutor,
        start_date=start_date,
        end_date=end_date,
        objectives=(objectives or "").strip(),
        capacity_override_reason=reason,
    )
    return _save_planned(user, placement, errors)


@transaction.atomic
def update_placement(
    *,
    user: User,
    placement: Placement,
    start_date: dt.date,
    end_date: dt.date,
    objectives: str,
    practice_tutor: TutorProfile | None = None,
    capacity_override_reason: str = "",
) -> Placement:
    """The program's administrators change a planned placement (dates, tutor, objectives)."""
    placement = _locked(placement)
    _authorise(user, placement, "edit")
    reason = (capacity_override_reason or "").strip() or placement.capacity_override_reason
    errors = practice_tutor_errors(practice_tutor, placement.host)
    placement.start_date, placement.end_date = start_date, end_date
    placement.objectives = (objectives or "").strip()
    placement.practice_tutor = practice_tutor
    placement.capacity_override_reason = reason
    return _save_planned(user, placement, errors, excluding=placement)


def _save_planned(
    user: User, placement: Placement, errors: Errors, *, excluding: Placement | None = None
) -> Placement:
    """Save a planned placement, new or changed, with its history: the host's capacity is
    checked (when the period is in order) with the other errors."""
    if _period_in_order(placement.start_date, placement.end_date):
        reason = placement.capacity_override_reason
        errors.update(_capacity_errors_of(placement, reason, excluding=excluding))
    with history_context(user=user.pk):
        return validated_save(
            placement,
            errors=errors,
            constraint_fields={"programs_placement_period_order": "end_date"},
        )


@transaction.atomic
def start_placement(
    *, user: User, placement: Placement, capacity_override_reason: str = ""
) -> Placement:
    """The host's coordinator confirms that the student started: planned -> active."""
    placement = _locked(placement)
    _authorise(user, placement, "start")
    earliest = placement.start_date - dt.timedelta(days=START_NOTICE_DAYS)
    if timezone.localdate() < earliest:
        message = ngettext(
            "This placement starts on %(start)s; its start can be confirmed from %(earliest)s "
            "(%(days)d day before), not earlier.",
            "This placement starts on %(start)s; its start can be confirmed from %(earliest)s "
            "(%(days)d days before), not earlier.",
            START_NOTICE_DAYS,
        ) % {
            "start": date_format(placement.start_date),
            "earliest": date_format(earliest),
            "days": START_NOTICE_DAYS,
        }
        raise ValidationError({NON_FIELD_ERRORS: [message]})
    reason = (capacity_override_reason or "").strip() or placement.capacity_override_reason
    errors = _capacity_errors_of(placement, reason, excluding=placement, started_only=True)
    if errors:
        raise ValidationError(errors)
    placement.status = Status.ACTIVE
    placement.confirmed_by, placement.confirmed_at = user, timezone.now()
    placement.capacity_override_reason = reason
    with history_context(user=user.pk):
        placement.save(
            update_fields=["status", "confirmed_by", "confirmed_at", "capacity_override_reason"]
        )
    return placement


def confirm_placement(*, user: User, placement: Placement) -> Placement:
    """The host's coordinator confirms that the organisation takes the student (= start)."""
    return start_placement(user=user, placement=placement)


@transaction.atomic
def complete_placement(
    *, user: User, placement: Placement, rating: int | None, evaluation: str
) -> Placement:
    """The host's coordinator or the practice tutor closes the placement with a short
    evaluation: a rating from 1 to 5 and a comment."""
    placement = _locked(placement)
    _authorise(user, placement, "complete")
    if timezone.localdate() < placement.start_date:
        raise ValidationError(
            {
                NON_FIELD_ERRORS: [
                    _(
                        "This placement starts on %(start)s; it can be completed once it has "
                        "started."
                    )
                    % {"start": date_format(placement.start_date)}
                ]
            }
        )
    evaluation = (evaluation or "").strip()
    errors: Errors = {}
    if rating is None or not 1 <= rating <= 5:
        errors["rating"] = [_("Give a rating from 1 to 5.")]
    if not evaluation:
        errors["evaluation"] = [_("Write a short evaluation of the placement.")]
    if errors:
        raise ValidationError(errors)
    placement.status = Status.COMPLETED
    placement.rating, placement.host_evaluation = rating, evaluation
    placement.completed_by, placement.completed_at = user, timezone.now()
    with history_context(user=user.pk):
        placement.save(
            update_fields=["status", "rating", "host_evaluation", "completed_by", "completed_at"]
        )
    return placement


@transaction.atomic
def cancel_placement(*, user: User, placement: Placement, reason: str) -> Placement:
    """The program's administrators or the host's coordinator cancel a planned or active
    placement, saying why."""
    placement = _locked(placement)
    _authorise(user, placement, "cancel")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the placement is cancelled.")]})
    placement.status = Status.CANCELLED
    placement.cancel_reason = reason
    placement.cancelled_by, placement.cancelled_at = user, timezone.now()
    with history_context(user=user.pk):
        placement.save(update_fields=["status", "cancel_reason", "cancelled_by", "cancelled_at"])
    return placement


def confirmable_by(today: dt.date | None = None) -> dt.date:
    """The last first day of a placement whose start can be confirmed on `today`."""
    return (today or timezone.localdate()) + dt.timedelta(days=START_NOTICE_DAYS)


def planned_placements_hosted_by(user: Any) -> Any:
    """Planned placements hosted by the organisations the user coordinates."""
    return Placement.objects.filter(
        host__in=coordinated_organization_ids(user), status=Status.PLANNED
    )


def placements_to_confirm(user: Any) -> Any:
    """Planned placements hosted by the organisations the user coordinates whose start can be
    confirmed now (from `START_NOTICE_DAYS` before their first day): what waits on them."""
    return planned_placements_hosted_by(user).filter(start_date__lte=confirmable_by())


# ---- Helpers -------------------------------------------------------------------------------


def _host_errors(host: Organization, student: Student) -> Errors:
    """Only an active partner of the student's program hosts its students."""
    if host.status != Organization.Status.ACTIVE:
        message = _("%(host)s cannot take new placements (%(status)s).") % {
            "host": host,
            "status": host.get_status_display(),
        }
        return {"host": [message]}
    if not Organization.objects.hosting_for(student.program_id).filter(pk=host.pk).exists():
        message = _(
            "%(host)s is not an active partner of %(program)s; choose one of the program's "
            "partners."
        ) % {"host": host, "program": student.program.code}
        return {"host": [message]}
    return {}


def practice_tutor_errors(practice_tutor: TutorProfile | None, host: Organization) -> Errors:
    """The practice tutor must be one who works at the host (the form shows it with the
    field errors; the services check it again)."""
    if practice_tutor is not None and (
        practice_tutor.kind != TutorProfile.Kind.PRACTICE
        or practice_tutor.organization_id != host.pk
    ):
        return {"practice_tutor": [_("Choose a practice tutor who works at the host.")]}
    return {}


def _period_in_order(start: Any, end: Any) -> bool:
    return isinstance(start, dt.date) and isinstance(end, dt.date) and start <= end
