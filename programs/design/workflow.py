"""The program's lifecycle: one transition table, read by the pages, the API and the services.

- draft: the program is being prepared; its elements may be changed freely, nobody is
  enrolled, placed or given a project yet;
- active: students are enrolled, placed and take part in projects; elements still change
  (with history), retired rather than deleted once something refers to them;
- closed: no new students, placements or projects; the elements are read-only. A portal
  administrator may reopen it (back to active), e.g. after closing it by mistake, saying why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ..models import Program
from .permissions import can_transition

__all__ = [
    "ALLOWS",
    "TRANSITIONS",
    "Transition",
    "allowed_transitions",
    "allows",
    "refusal",
    "require",
]

S = Program.Status

#: What each status allows; services call `require(program, what)` before doing it.
ALLOWS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({"edit_elements"}),
    S.ACTIVE: frozenset({"edit_elements", "enrol", "place", "start_projects"}),
    S.CLOSED: frozenset(),
}

#: Why something is refused, per status (the same sentence on pages and in the API).
REFUSALS: dict[tuple[str, str], Promise] = {
    (S.DRAFT, "enrol"): _("The program is still a draft; activate it before enrolling students."),
    (S.DRAFT, "place"): _("The program is still a draft; it has no placements yet."),
    (S.DRAFT, "start_projects"): _("The program is still a draft; activate it first."),
    (S.CLOSED, "enrol"): _("The program is closed; it takes no new students."),
    (S.CLOSED, "place"): _("The program is closed; it takes no new placements."),
    (S.CLOSED, "start_projects"): _("The program is closed; it takes no new projects."),
    (S.CLOSED, "edit_elements"): _(
        "The program is closed; its objectives, stages, curriculum and partners can no "
        "longer be changed."
    ),
}


@dataclass(frozen=True)
class Transition:
    """One step of the lifecycle: its name in URLs and the API, and its button label."""

    name: str
    source: str
    target: str
    label: Promise
    portal_admin_only: bool = False
    #: The step is taken only with a reason, kept with the change in the program's history.
    needs_reason: bool = False
    #: What the step means, said before it is taken: a step with one is taken only once
    #: confirmed (on its own page, or with `"confirm": true` in the API), never with one click.
    warning: Promise | None = None

    @property
    def confirmed(self) -> bool:
        return self.warning is not None


TRANSITIONS: tuple[Transition, ...] = (
    Transition("activate", S.DRAFT, S.ACTIVE, _("Activate the program")),
    Transition(
        "close",
        S.ACTIVE,
        S.CLOSED,
        _("Close the program"),
        warning=_(
            "Closing the program stops new students, placements and projects and makes its "
            "objectives, stages, curriculum and partners read-only; only a portal administrator "
            "can reopen it. Confirm it on the program's “Close the program” page, or send "
            "“confirm”: true with the request."
        ),
    ),
    Transition(
        "reopen",
        S.CLOSED,
        S.ACTIVE,
        _("Reopen the program"),
        portal_admin_only=True,
        needs_reason=True,
    ),
)
BY_NAME = {t.name: t for t in TRANSITIONS}


def allows(program: Program, what: str) -> bool:
    return what in ALLOWS.get(program.status, frozenset())


def refusal(program: Program, what: str) -> str:
    """The sentence that says why the program's status refuses `what`."""
    return str(REFUSALS.get((program.status, what), _("The program's status refuses this.")))


def require(program: Program, what: str, *, field: str | None = None) -> None:
    """Raise a ValidationError saying why the program's status refuses `what`."""
    if allows(program, what):
        return
    message = refusal(program, what)
    raise ValidationError({field: [message]} if field else message)


def allowed_transitions(user: Any, program: Program) -> list[Transition]:
    """The steps `user` may take from the program's current status (for buttons)."""
    return [t for t in TRANSITIONS if can_transition(user, program, t)]
