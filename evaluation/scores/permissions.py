"""Who sees partner scores and who decides on them. Deny by default.

Portal administrators see every score; a program's administrators the scores of the
partners of their programs; a coordinator their own organisation's. Tutors and students see
none (the formula page is for anyone signed in). Only portal administrators start a run and
decide on a probation recommendation.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from accounts.permissions import is_portal_admin
from accounts.roles import Role
from programs.models import ProgramPartner
from programs.scopes import administered_program_ids, coordinated_organization_ids
from training_portal.core.permissions import NOTHING, is_active_user

_SCORE_ROLES = (Role.PROGRAM_ADMIN, Role.PARTNER_COORDINATOR)


def organization_filter(user: Any, field: str = "organization") -> Q:
    """The organisations whose scores `user` sees, as a condition on `field` (an organisation
    or its id: "pk" on organisations themselves)."""
    if not is_active_user(user):
        return NOTHING
    if is_portal_admin(user):
        return Q()
    partners = ProgramPartner.objects.filter(program__in=administered_program_ids(user)).values(
        "organization_id"
    )
    return Q(**{f"{field}__in": partners}) | Q(
        **{f"{field}__in": coordinated_organization_ids(user)}
    )


def score_filter(user: Any) -> Q:
    """The partner scores `user` may read (used by `PartnerScore.objects.visible_to`)."""
    if not is_active_user(user):
        return NOTHING
    if not (is_portal_admin(user) or any(role in user.role_names for role in _SCORE_ROLES)):
        return NOTHING
    return organization_filter(user)


def organizations_filter(user: Any) -> Q:
    """The organisations whose score pages `user` may open."""
    return organization_filter(user, "pk") if sees_scores(user) else NOTHING


def sees_scores(user: Any) -> bool:
    """Who sees scores and runs (no query): the menu's Partner performance, the runs, an
    organisation's scores. Others signed in get the ranking page without any score or run."""
    if not is_active_user(user):
        return False
    return is_portal_admin(user) or any(role in user.role_names for role in _SCORE_ROLES)


def sees_formula(user: Any) -> bool:
    """The formula and its weights are for anyone signed in."""
    return is_active_user(user)


def sees_formula_only(user: Any) -> bool:
    """The navigation entry of those who see the formula but no score."""
    return sees_formula(user) and not sees_scores(user)


def can_start_run(user: Any) -> bool:
    return is_portal_admin(user)


def can_decide(user: Any, score: Any = None) -> bool:
    """Probation, suspension of new placements and exit are decided by portal administrators."""
    return is_portal_admin(user)


def reads_history(user: Any, obj: Any) -> bool:
    """Nobody besides portal administrators reads the history of runs and decisions (asked
    for those who are not portal administrators)."""
    return False
