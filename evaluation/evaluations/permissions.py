"""Who sees which evaluation rounds, requests and evaluations, and who may act. Deny by default.

- A round is seen by whoever may see its program, and by those who owe an evaluation in it
  (an inspector, for instance).
- A request (what someone owes, and the receipt of an anonymous answer) is seen by its
  evaluator and the program's administrators; it never leads to the answer.
- A named evaluation is seen by the program's administrators, its evaluator, the current tutors
  of the student it is about, the coordinators of the organisation it is about or hosting the
  student it is about, and the student it is about: their self-assessment, and what their
  tutors said once the round is closed.
- Anonymous answers are never read one by one: `services.round_results` aggregates them.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from accounts.permissions import is_portal_admin, visible_filter
from accounts.roles import TRAINING_ROLES, Role
from programs.scopes import (
    administered_program_ids,
    administers,
    coordinated_organization_ids,
    program_ids_visible_to,
    tutored_student_ids,
)
from training_portal.core.permissions import is_active_user

_EVALUATION_ROLES = TRAINING_ROLES | {Role.INSPECTOR}


@visible_filter
def round_filter(user: Any) -> Q:
    from ..models import EvaluationRequest

    owed = EvaluationRequest.objects.filter(evaluator=user).values("round_id")
    return Q(program__in=program_ids_visible_to(user)) | Q(pk__in=owed)


@visible_filter
def request_filter(user: Any) -> Q:
    return Q(evaluator=user) | Q(round__program__in=administered_program_ids(user))


@visible_filter
def evaluation_filter(user: Any) -> Q:
    from programs.models import Placement

    from ..models import EvaluationRound, Source

    coordinated = coordinated_organization_ids(user)
    hosted = Placement.objects.filter(host__in=coordinated).values("student_id")
    return (
        Q(round__program__in=administered_program_ids(user))
        | Q(evaluator=user)
        | Q(student__in=tutored_student_ids(user))
        | Q(student__in=hosted)
        | Q(organization__in=coordinated)
        | Q(placement__host__in=coordinated)
        | Q(
            student__user=user,
            round__status=EvaluationRound.Status.CLOSED,
            source__in=[Source.TUTOR, Source.PRACTICE_TUTOR],
        )
    )


# ---- Anonymous aggregates ------------------------------------------------------------------


@visible_filter
def anonymous_filter(user: Any) -> Q:
    """The anonymous answers whose aggregates `user` may see (each only from
    `EVALUATION_MIN_ANONYMOUS` answers on): the program's administrators all of them, a tutor
    those about themselves, a coordinator those about their organisation."""
    return (
        Q(round__program__in=administered_program_ids(user))
        | Q(tutor__user=user)
        | Q(organization__in=coordinated_organization_ids(user))
    )


def reads_anonymous_comments(user: Any, round_: Any) -> bool:
    """Comments of anonymous answers are for the program's administrators only."""
    return administers(user, round_.program)


# ---- Actions -------------------------------------------------------------------------------


def sees_evaluations(user: Any) -> bool:
    """Who the evaluation pages are for (navigation; no query beyond the cached roles)."""
    if not is_active_user(user):
        return False
    return is_portal_admin(user) or any(role in user.role_names for role in _EVALUATION_ROLES)


def sees_program(user: Any, program: Any) -> bool:
    """The links to a program's quality assessment and rounds, on the program's page: the
    indicators page and the rounds read from `Program.objects.visible_to(user)` and
    `EvaluationRound.objects.visible_to(user)`, which follow the program, so whoever is shown
    the program's page may open them."""
    return True


def can_edit_indicators(user: Any, program: Any) -> bool:
    """A program's indicators are edited, and its rounds opened, by its administrators."""
    return administers(user, program)


can_open_round = can_edit_indicators


def can_close_round(user: Any, round_: Any) -> bool:
    from ..models import EvaluationRound

    return round_.status == EvaluationRound.Status.OPEN and administers(user, round_.program)


def can_manage_round(user: Any, round_: Any) -> bool:
    """See the round's progress (how many answered, per source)."""
    return administers(user, round_.program)


def can_submit(user: Any, request: Any) -> bool:
    from ..models import EvaluationRequest, EvaluationRound

    return (
        is_active_user(user)
        and request.evaluator_id == user.pk
        and request.status == EvaluationRequest.Status.PENDING
        and request.round.status == EvaluationRound.Status.OPEN
    )
