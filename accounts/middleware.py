"""Per-user language and idle session timeout."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.utils import translation

# Background polling (job progress) must not keep an idle session alive.
POLL_PARAMETER = "poll"
_LAST_SEEN = "last_seen"
_REFRESH_EVERY = 60  # seconds; at most one session write a minute


class UserLanguageMiddleware:
    """Use a signed-in user's preferred language over cookies and Accept-Language."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.preferred_language:
            translation.activate(user.preferred_language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)


class IdleTimeoutMiddleware:
    """Sign out a session that has been idle for longer than SESSION_IDLE_TIMEOUT seconds."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            last_seen = request.session.get(_LAST_SEEN, now)
            if now - int(last_seen) > settings.SESSION_IDLE_TIMEOUT:
                logout(request)
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                return redirect_to_login(request.get_full_path())
            polling = POLL_PARAMETER in request.GET
            if not polling and (
                now - int(last_seen) >= _REFRESH_EVERY or _LAST_SEEN not in request.session
            ):
                request.session[_LAST_SEEN] = now
        return self.get_response(request)
