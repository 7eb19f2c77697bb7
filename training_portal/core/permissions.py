"""One permission concept, several surfaces: a view decorator and a DRF permission class.

Predicates live in each app's permissions.py and take (user) or (user, obj). Reads are
scoped by `visible_to(user)` querysets (outsiders get 404); predicates decide actions
(an allowed read with a forbidden action gets 403).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

UserPredicate = Callable[[Any], bool]
ObjectPredicate = Callable[[Any, Any], bool]
View = Callable[..., HttpResponse]


def require(predicate: UserPredicate) -> Callable[[View], View]:
    """Allow a view to signed-in users for whom `predicate(user)` holds; others get 403."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not predicate(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


class Predicate(BasePermission):
    """DRF permission built from predicates: `permission_classes = [Predicate.of(pred)]`."""

    user_predicate: UserPredicate | None = None
    object_predicate: ObjectPredicate | None = None

    @classmethod
    def of(
        cls,
        user_predicate: UserPredicate | None = None,
        object_predicate: ObjectPredicate | None = None,
    ) -> type[Predicate]:
        return type(
            "PredicatePermission",
            (cls,),
            {
                "user_predicate": staticmethod(user_predicate) if user_predicate else None,
                "object_predicate": staticmethod(object_predicate) if object_predicate else None,
            },
        )

    def has_permission(self, request: Request, view: Any) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        return self.user_predicate is None or self.user_predicate(request.user)

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        return self.object_predicate is None or self.object_predicate(request.user, obj)


#: The filter of a `visible_to` that lets nothing through (deny by default).
NOTHING = Q(pk__in=[])


def is_signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def is_active_user(user: Any) -> bool:
    """Signed in with an active account: the first condition of every permission."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active)
