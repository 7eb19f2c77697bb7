"""Readable history of an account: who changed what, and when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.translation import gettext_lazy as _

from .models import User

SUBJECTS = {"accounts.UserEvent": _("Account"), "accounts.RoleMembershipEvent": _("Role")}
# One phrase per (subject, action), so that translators can order the words.
PHRASES = {
    ("accounts.UserEvent", "insert"): _("Account created"),
    ("accounts.UserEvent", "update"): _("Account changed"),
    ("accounts.UserEvent", "delete"): _("Account deleted"),
    ("accounts.RoleMembershipEvent", "insert"): _("Role granted"),
    ("accounts.RoleMembershipEvent", "update"): _("Role changed"),
    ("accounts.RoleMembershipEvent", "delete"): _("Role removed"),
}
HIDDEN_FIELDS = {"id", "pgh_id", "pgh_created_at", "pgh_label", "pgh_obj", "pgh_context"}


@dataclass
class HistoryLine:
    when: datetime
    subject: str
    action: str
    summary: str
    changes: list[tuple[str, Any, Any]]
    actor: str


def describe_events(events: list[Any]) -> list[HistoryLine]:
    """Turn pghistory events into lines; actors are resolved with one query."""
    actor_ids = {
        int(event.pgh_context["user"])
        for event in events
        if event.pgh_context and event.pgh_context.get("user")
    }
    actors = dict(User.objects.filter(pk__in=actor_ids).values_list("pk", "email"))
    lines = []
    for event in events:
        context = event.pgh_context or {}
        if context.get("user"):
            actor = actors.get(int(context["user"]), f"#{context['user']}")
        else:
            actor = str(_("system"))
        if context.get("job"):
            actor = f"{actor} ({_('job')} #{context['job']})"
        if event.pgh_diff:
            changes = [(field, old, new) for field, (old, new) in sorted(event.pgh_diff.items())]
        else:
            changes = [
                (field, None, value)
                for field, value in sorted((event.pgh_data or {}).items())
                if field not in HIDDEN_FIELDS
            ]
        lines.append(
            HistoryLine(
                when=event.pgh_created_at,
                subject=str(SUBJECTS.get(event.pgh_model, event.pgh_model)),
                action=event.pgh_label,
                summary=str(
                    PHRASES.get(
                        (event.pgh_model, event.pgh_label), f"{event.pgh_model} {event.pgh_label}"
                    )
                ),
                changes=changes,
                actor=actor,
            )
        )
    return lines
