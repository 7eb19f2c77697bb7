"""Who may do what with accounts. Deny by default."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Concatenate, ParamSpec

from django.db.models import Q

from training_portal.core.permissions import NOTHING, is_active_user

P = ParamSpec("P")


def is_portal_admin(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_portal_admin)


def visible_filter(scoped: Callable[Concatenate[Any, P], Q]) -> Callable[Concatenate[Any, P], Q]:
    """A `visible_to` filter: nothing for a signed-out or inactive user, everything for a
    portal administrator, and what `scoped` says for the others."""

    @functools.wraps(scoped)
    def visible(user: Any, *args: P.args, **kwargs: P.kwargs) -> Q:
        if not is_active_user(user):
            return NOTHING
        if is_portal_admin(user):
            return Q()
        return scoped(user, *args, **kwargs)

    return visible


def can_manage_users(user: Any) -> bool:
    """List and edit accounts of others."""
    return is_portal_admin(user)


def can_import_users(user: Any) -> bool:
    """Start a bulk import of user accounts."""
    return is_portal_admin(user)
