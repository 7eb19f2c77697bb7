"""The inspection lifecycle's one transition table (`MOVES`, and the groups of statuses
`CONDUCTING`, `WRITING`, `CLOSED`), read by the predicates, the services, the pages and the
API; and the steps every inspection process shares: guards that raise `PermissionDenied` or
`ValidationError`, the row lock, and the notifications.

Life of an inspection: PLANNED → (start) IN_PROGRESS → (first report section) DRAFTING →
(reply window) IN_REPLY → (the window closed, every comment answered; request)
AWAITING_APPROVAL → (a second person approves) PUBLISHED → (correction) DRAFTING →
AWAITING_APPROVAL → PUBLISHED (version 2)... and CANCELLED from anything not published.

Secrecy: `notify_inspected_side` is the one way the inspected side hears of an inspection,
and it says nothing before the inspection is revealed (`Inspection.is_revealed`): an
unannounced inspection stays unknown to them until it starts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from accounts.models import User
from training_portal.core.notifications import notify

from ..models import Inspection, InspectionTeamMember

Status = Inspection.Status

# ---- The transition table ----------------------------------------------------------------------

#: Statuses in which the team conducts the inspection (checklist, sample, observations...):
#: the inspectors' working statuses.
CONDUCTING: tuple[str, ...] = (Status.IN_PROGRESS, Status.DRAFTING)
#: Statuses in which the team writes the report.
WRITING: tuple[str, ...] = (Status.IN_PROGRESS, Status.DRAFTING, Status.IN_REPLY)
#: Statuses that end an inspection's life (nothing more to do).
CLOSED: tuple[str, ...] = (Status.PUBLISHED, Status.CANCELLED)


@dataclass(frozen=True)
class Move:
    """A move of the lifecycle: from any of `sources` to `target`."""

    sources: tuple[str, ...]
    target: str


#: Every move of an inspection, by name (each service makes one; the predicates of
#: `permissions` check its sources).
MOVES: dict[str, Move] = {
    # A team member starts the visit once its start time has come.
    "start": Move((Status.PLANNED,), Status.IN_PROGRESS),
    # The first section of the report.
    "draft": Move((Status.IN_PROGRESS,), Status.DRAFTING),
    # The author sends the draft to the inspected side.
    "open_reply": Move(CONDUCTING, Status.IN_REPLY),
    # The author asks for publication (after the reply window, or for a correction).
    "request_publication": Move((Status.IN_REPLY, Status.DRAFTING), Status.AWAITING_APPROVAL),
    # A second person publishes, or returns the report (to the reply window while it is
    # open, to drafting otherwise).
    "approve": Move((Status.AWAITING_APPROVAL,), Status.PUBLISHED),
    "return_to_reply": Move((Status.AWAITING_APPROVAL,), Status.IN_REPLY),
    "return_to_drafting": Move((Status.AWAITING_APPROVAL,), Status.DRAFTING),
    # A published report is reopened to be corrected (the next version).
    "correct": Move((Status.PUBLISHED,), Status.DRAFTING),
    "cancel": Move(
        tuple(status for status in Status.values if status not in CLOSED), Status.CANCELLED
    ),
}


def allows(move: str, status: str) -> bool:
    """Whether an inspection in `status` may make `move`."""
    return status in MOVES[move].sources


def target(move: str) -> str:
    """The status `move` leads to."""
    return MOVES[move].target


# ---- Guards, lock, notifications ---------------------------------------------------------------

Errors = dict[str, list[str]]
#: The longest free text a service accepts (report sections have their own limit).
TEXT_LIMIT = 10_000


def require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def check(errors: Errors) -> None:
    if errors:
        raise ValidationError(errors)


def required(value: str, field: str, errors: Errors, *, limit: int = TEXT_LIMIT) -> str:
    value = (value or "").strip()
    if not value:
        errors[field] = [_("This field is required.")]
    elif len(value) > limit:
        errors[field] = [_("At most %(limit)d characters.") % {"limit": limit}]
    return value


def lock(inspection: Inspection | int) -> Inspection:
    """Re-read the inspection (or the one of this id) under a row lock: the permission and
    the state are checked on what the database holds now, and two requests do not both move
    it."""
    pk = inspection if isinstance(inspection, int) else inspection.pk
    return Inspection.objects.select_for_update().get(pk=pk)


def link(inspection: Inspection) -> str:
    try:
        return reverse("inspections:inspection-detail", args=[inspection.pk])
    except NoReverseMatch:
        return ""


def notify_users(
    users: Iterable[User],
    template: str,
    inspection: Inspection,
    *,
    section: Any = None,
    version: Any = None,
    actor: User | None = None,
    reason: str = "",
    closes: dt.datetime | None = None,
) -> None:
    # Plain values only: the notification is rendered again when read, in the reader's language.
    context: dict[str, Any] = {
        "inspection": {
            "title": inspection.title,
            "target": str(inspection.target),
            "starts_at": inspection.starts_at,
            "ends_on": inspection.ends_on,
            "unannounced": inspection.unannounced,
            "correction_note": inspection.correction_note,
        },
        "reason": reason,
        "closes": closes,
    }
    if section is not None:
        context["section"] = {"title": section.title}
    if version is not None:
        context["version"] = {"version": version.version}
    if actor is not None:
        context["actor"] = {"full_name": actor.full_name}
    seen: set[int] = set()
    for user in users:
        if user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        notify(
            recipient=user,
            template=f"supervision/notifications/{template}",
            context=context,
            link=link(inspection),
        )


def notify_inspected_side(inspection: Inspection, template: str, **context: Any) -> None:
    """The only way the inspected side hears of an inspection: never before it is revealed."""
    from .permissions import inspected_side_users

    if not inspection.is_revealed():
        return
    notify_users(inspected_side_users(inspection), template, inspection, **context)


def team_users(inspection: Inspection, **extra: Any) -> list[User]:
    ids = InspectionTeamMember.objects.filter(inspection=inspection, **extra).values("inspector_id")
    return list(User.objects.filter(pk__in=ids).order_by("pk"))


def authors(inspection: Inspection) -> list[User]:
    return team_users(inspection, is_author=True)
