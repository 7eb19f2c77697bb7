"""The generation of the public portal's cached pages: part of every cache key, and changed
after each publication is committed, so that a new or corrected report or summary is shown at
once instead of when the cached pages expire (`PUBLIC_CACHE_SECONDS`).

A cache that lost the generation (eviction, restart) starts a new one: it never falls back to
a generation whose pages may still be cached.
"""

from __future__ import annotations

import time

from django.core.cache import cache
from django.db import transaction

GENERATION_KEY = "public:generation"


def generation() -> int:
    """The current generation of the public pages' cache keys."""
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
