"""The steps every inspection process shares: guards that raise `PermissionDenied` or
`ValidationError`, the row lock, and the notifications.

Secrecy: `notify_inspected_side` is the one way the inspected side hears of an inspection,
and it says nothing before the inspection is revealed (`Inspection.is_revealed`): an
unannounced inspection stays unknown to them until it starts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from accounts.models import User
from training_portal.core.notifications import notify

from ..models import Inspection, InspectionTeamMember
from .permissions import inspected_side_users

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
    if not inspection.is_revealed():
        return
    notify_users(inspected_side_users(inspection), template, inspection, **context)


def team_users(inspection: Inspection, **extra: Any) -> list[User]:
    ids = InspectionTeamMember.objects.filter(inspection=inspection, **extra).values("inspector_id")
    return list(User.objects.filter(pk__in=ids).order_by("pk"))


def authors(inspection: Inspection) -> list[User]:
    return team_users(inspection, is_author=True)
