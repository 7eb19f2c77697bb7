"""The one rate limit of the public portal's pages and of the public API: at most
`PUBLIC_RATE_LIMIT` requests (default 120) per `PUBLIC_RATE_WINDOW` seconds (default 60) per
client address, for anonymous clients (signed-in users are not limited; 0 turns it off).

One implementation, DRF's `SimpleRateThrottle` (counted in the cache): the API lists
`PublicRateThrottle` in its `throttle_classes`; pages are wrapped in `rate_limited(template)`,
which asks the same throttle and answers 429 with that template and Retry-After. Pages and
API are counted apart (each its own `scope`).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from rest_framework.throttling import SimpleRateThrottle

__all__ = ["PublicRateThrottle", "client_address", "rate_limited"]

View = Callable[..., HttpResponse]


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def client_address(request: Any) -> str:
    """The client's address. As for django-axes (AXES_IPWARE_META_PRECEDENCE_ORDER): the
    proxy in front sets REMOTE_ADDR; a forwarded-for header can be forged by the client."""
    return str(request.META.get("REMOTE_ADDR") or "unknown")


class PublicRateThrottle(SimpleRateThrottle):
    """`PUBLIC_RATE_LIMIT` requests per `PUBLIC_RATE_WINDOW` seconds per client address."""

    scope = "public"

    def __init__(self, scope: str | None = None) -> None:
        # Read at each request (not at import), so that a changed setting applies at once.
        if scope is not None:
            self.scope = scope
        limit = _setting("PUBLIC_RATE_LIMIT", 120)
        window = max(_setting("PUBLIC_RATE_WINDOW", 60), 1)
        self.rate = f"{limit}/{window}s" if limit > 0 else None
        self.num_requests, self.duration = limit, window

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return None
        address = hashlib.sha256(client_address(request).encode()).hexdigest()[:32]
        return self.cache_format % {"scope": self.scope, "ident": address}

    def seconds_left_if_limited(self, request: Any) -> int | None:
        """Count this request; the seconds to wait when it is over the limit, else None."""
        no_view: Any = None  # a page, not an API view
        if self.allow_request(request, no_view):
            return None
        return max(math.ceil(self.wait() or 1), 1)


def rate_limited(template: str, *, scope: str = "public-pages") -> Callable[[View], View]:
    """Answer 429 (rendered with `template`, context `seconds`, with Retry-After) to an
    anonymous client over its limit."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            seconds = PublicRateThrottle(scope).seconds_left_if_limited(request)
            if seconds is not None:
                response = render(request, template, {"seconds": seconds}, status=429)
                response["Retry-After"] = str(seconds)
                return response
            return view(request, *args, **kwargs)

        return wrapped

    return decorate
