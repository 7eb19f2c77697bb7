"""Helpers for authentication back ends (django-axes)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str:
    """The e-mail a login attempt was made for, folded to lower case.

    Axes locks the (username, IP) pair; the API sends "email", the login form "username".
    """
    source: Any = credentials or request.POST or {}
    value = source.get("username") or source.get("email") or ""
    return str(value).strip().lower()


def lockout_response(request: HttpRequest, response: Any = None, credentials: Any = None) -> Any:
    """What a locked-out (e-mail, IP) pair gets: JSON for the API, a page otherwise."""
    from django.conf import settings
    from django.http import JsonResponse
    from django.shortcuts import render
    from django.utils.translation import gettext as _

    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    message = _(
        "Too many failed sign-in attempts for this account from your address. "
        "Try again in %(minutes)d minutes, or reset your password."
    ) % {"minutes": minutes}
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=429)
    return render(request, "accounts/locked_out.html", {"message": message}, status=429)
