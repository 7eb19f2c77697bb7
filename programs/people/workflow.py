"""The one transition table of a student's status, read by the services, the pages and the API.

Each action names the statuses it starts from, the status it leads to (None: unchanged), the
inputs it takes, and whether the student or a tutor may ask for it (a request, approved or
refused by a program administrator) or only an administrator may do it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ..models import Student, StudentStatusChange
from .permissions import can_decide_student_status, can_request_student_status

__all__ = ["TRANSITIONS", "Mode", "Transition", "available", "mode_for", "standing"]

Status = Student.Status
Kind = StudentStatusChange.Kind


class Mode(StrEnum):
    DO = "do"  # a program administrator: the change is made at once
    REQUEST = "request"  # the student or a tutor: the change waits for an administrator


@dataclass(frozen=True)
class Transition:
    action: str
    kind: str
    label: Promise
    request_label: Promise
    sources: frozenset[str]
    target: str | None
    requestable: bool
    fields: tuple[str, ...]


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition(
            "suspend",
            Kind.SUSPENSION,
            _("Suspend study"),
            _("Ask for a suspension of study"),
            frozenset({Status.ACTIVE}),
            Status.SUSPENDED,
            True,
            ("starts_on", "ends_on", "reason"),
        ),
        Transition(
            "resume",
            Kind.RESUMPTION,
            _("Resume study"),
            _("Ask to resume study"),
            frozenset({Status.SUSPENDED}),
            Status.ACTIVE,
            True,
            ("starts_on", "reason"),
        ),
        Transition(
            "extend",
            Kind.EXTENSION,
            _("Extend study"),
            _("Ask for an extension of study"),
            frozenset({Status.ACTIVE, Status.SUSPENDED}),
            None,
            True,
            ("ends_on", "shift_days", "reason"),
        ),
        Transition(
            "withdraw",
            Kind.WITHDRAWAL,
            _("Record a withdrawal"),
            _("Ask to withdraw"),
            frozenset({Status.ACTIVE, Status.SUSPENDED}),
            Status.WITHDRAWN,
            True,
            ("starts_on", "reason"),
        ),
        Transition(
            "change-tutor",
            Kind.TUTOR_CHANGE,
            _("Change a tutor"),
            _("Change a tutor"),
            frozenset({Status.ACTIVE, Status.SUSPENDED}),
            None,
            False,
            ("tutor", "replaces", "over_capacity_reason", "reason"),
        ),
        Transition(
            "graduate",
            Kind.GRADUATION,
            _("Record the graduation"),
            _("Record the graduation"),
            frozenset({Status.ACTIVE}),
            Status.GRADUATED,
            False,
            ("starts_on", "reason"),
        ),
    )
}


def mode_for(user: Any, student: Student, transition: Transition) -> Mode | None:
    """How `user` may take this action for `student` (whatever the student's status now)."""
    return _mode(transition, *standing(user, student))


def available(
    user: Any, student: Student, known: tuple[bool, bool] | None = None
) -> list[tuple[Transition, Mode]]:
    """The actions `user` may take now, from the student's current status (`known`: the
    user's `standing`, when the caller has asked already)."""
    decides, requests = known or standing(user, student)
    found = []
    for transition in TRANSITIONS.values():
        mode = _mode(transition, decides, requests)
        if mode is not None and student.status in transition.sources:
            found.append((transition, mode))
    return found


def standing(user: Any, student: Student) -> tuple[bool, bool]:
    """(decides, may request), asked once: the second costs a query for tutors."""
    if can_decide_student_status(user, student):
        return True, False
    return False, can_request_student_status(user, student)


def _mode(transition: Transition, decides: bool, requests: bool) -> Mode | None:
    if decides:
        return Mode.DO
    if transition.requestable and requests:
        return Mode.REQUEST
    return None
