"""A finding's life, once: open → acknowledged → in remediation → resolved, or dismissed with
a justification; resolved and dismissed findings may be reopened.

Each move has a name (`start_remediation`; the API spells it `start-remediation`), the status
it leads to, the statuses it leaves from, who may make it and its label. The services check
the statuses and the predicate, the finding's page offers the moves its viewer may make, and
the API answers each move's endpoint from this table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import Finding
from . import permissions

Status = Finding.Status


@dataclass(frozen=True)
class Move:
    """One move of a finding's life."""

    name: str
    to: str
    #: The statuses the finding may be in for the move.
    sources: tuple[str, ...]
    #: Who may make it: `allowed(user, finding)`.
    allowed: Callable[[Any, Any], bool]
    label: str | Promise

    @property
    def slug(self) -> str:
        """The name in URLs (the API's action)."""
        return self.name.replace("_", "-")


#: In the order the finding's page offers them.
MOVES: tuple[Move, ...] = (
    Move(
        "acknowledge",
        Status.ACKNOWLEDGED,
        (Status.OPEN,),
        permissions.can_work_on_finding,
        gettext_lazy("Acknowledge"),
    ),
    Move(
        "start_remediation",
        Status.IN_REMEDIATION,
        (Status.OPEN, Status.ACKNOWLEDGED),
        permissions.can_work_on_finding,
        gettext_lazy("Start remediation"),
    ),
    Move(
        "resolve",
        Status.RESOLVED,
        (Status.OPEN, Status.ACKNOWLEDGED, Status.IN_REMEDIATION),
        permissions.can_work_on_finding,
        gettext_lazy("Mark resolved"),
    ),
    Move(
        "reopen",
        Status.OPEN,
        (Status.RESOLVED, Status.DISMISSED),
        permissions.manages_finding,
        gettext_lazy("Reopen"),
    ),
    Move(
        "dismiss",
        Status.DISMISSED,
        (Status.OPEN, Status.ACKNOWLEDGED, Status.IN_REMEDIATION),
        permissions.can_dismiss_finding,
        gettext_lazy("Dismiss"),
    ),
)

BY_NAME: dict[str, Move] = {move.name: move for move in MOVES}
BY_STATUS: dict[str, Move] = {move.to: move for move in MOVES}


def allowed_moves(finding: Finding) -> set[str]:
    """The statuses the finding may move to from where it is (whoever asks)."""
    return {move.to for move in MOVES if finding.status in move.sources}


def may_make(user: Any, finding: Finding, name: str) -> bool:
    """Whether the user may make the move (whatever the finding's status)."""
    return BY_NAME[name].allowed(user, finding)


def check_move(finding: Finding, to: str) -> None:
    """ValidationError unless the finding's status lets it move to `to`."""
    if finding.status not in BY_STATUS[to].sources:
        raise ValidationError(
            {
                NON_FIELD_ERRORS: _("A finding that is “%(status)s” cannot become “%(to)s”.")
                % {"status": finding.get_status_display(), "to": Status(to).label}
            }
        )
