"""The cache of the public portal's pages and public API answers (no login).

Keys: one per kind of content ("page", "feed", "api"...), language and absolute URL (host,
path and query string), in the current *generation*. The generation is changed after each
publication is committed (`expire_public_pages`), so that a new or corrected publication is
shown at once instead of when the cached entries expire (`PUBLIC_CACHE_SECONDS`, default 60;
0 turns the cache off). A cache that lost the generation (eviction, restart) starts a new one:
it never falls back to a generation whose entries may still be cached.

Public pages (`public_pages(...)`): the body of each page (everything inside the layout) is
rendered without the request, so that it holds nothing per user (no CSRF token, no name, no
messages), and is cached; the layout around it (navigation, language switch, CSRF token) is
rendered for each request. Caching whole responses with `cache_page` would serve one visitor's
CSRF token to the next. They are rate-limited (`core.ratelimit`).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.functional import Promise
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from .ratelimit import rate_limited

GENERATION_KEY = "public:generation"

View = Callable[..., HttpResponse]


def generation() -> int:
    """The current generation of the public cache's keys."""
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
        value = cache.get(GENERATION_KEY, 0)
    return int(value)


def _renew() -> None:
    cache.set(GENERATION_KEY, max(time.time_ns(), generation() + 1), timeout=None)


def expire_public_pages() -> None:
    """Have the public pages rendered afresh once the current transaction commits (at once
    outside a transaction)."""
    transaction.on_commit(_renew)


def cache_seconds() -> int:
    return int(getattr(settings, "PUBLIC_CACHE_SECONDS", 60))


def cache_key(kind: str, request: Any) -> str:
    """One key per kind of content, language and URL (host, path and query string), in the
    current generation."""
    path = hashlib.sha256(request.build_absolute_uri().encode()).hexdigest()
    return f"public:{kind}:{generation()}:{translation.get_language()}:{path}"


def cached(kind: str, request: Any, compute: Callable[[], Any]) -> Any:
    """`compute()`'s value, kept for `PUBLIC_CACHE_SECONDS` under `cache_key(kind, request)`.
    Only values are kept: an exception raised by `compute` is never cached."""
    seconds = cache_seconds()
    if seconds <= 0:
        return compute()
    key = cache_key(kind, request)
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, seconds)
    return value


@dataclass
class PublicPage:
    """What a public view gives: the page's title, and the template and context of its body
    (rendered without the request: nothing in it may depend on who asks)."""

    title: str | Promise
    template: str
    context: dict[str, Any] = field(default_factory=dict)


def public_pages(layout: str, limited: str) -> Callable[[Callable[..., PublicPage]], View]:
    """A decorator for the public views of an app: GET (or HEAD) only, rate-limited (429
    rendered with the template `limited`), the body cached and put in the `layout` template
    (context: `page_title`, `body`)."""

    def public_page(view: Callable[..., PublicPage]) -> View:
        @wraps(view)
        @require_safe
        @rate_limited(limited)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            def body() -> tuple[str, str]:
                page = view(request, *args, **kwargs)
                return str(page.title), render_to_string(page.template, page.context)

            title, content = cached("page", request, body)
            response = render(
                request,
                layout,
                {"page_title": title, "body": mark_safe(content)},  # noqa: S308  (our rendering)
            )
            patch_vary_headers(response, ["Accept-Language"])
            seconds = cache_seconds()
            if not request.user.is_authenticated and seconds > 0:
                # Private: the layout around the body carries this visitor's CSRF token.
                patch_cache_control(response, private=True, max_age=seconds)
            return response

        return wrapped

    return public_page
