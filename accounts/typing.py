"""Request types for views that require a signed-in user."""

from __future__ import annotations

from django.http import HttpRequest

from .models import User


class AuthenticatedHttpRequest(HttpRequest):
    """What @login_required and @require(...) views receive."""

    user: User
