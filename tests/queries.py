"""Query-count assertions: a page's count is bounded and stays flat as data grows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext


def count_queries(fetch: Callable[[], Any]) -> tuple[int, Any]:
    with CaptureQueriesContext(connection) as ctx:
        result = fetch()
    return len(ctx.captured_queries), result


def assert_flat_queries(
    fetch: Callable[[], Any], grow: Callable[[], None], *, max_queries: int
) -> int:
    """Run `fetch`, add data with `grow`, run it again: same count, at most `max_queries`."""
    fetch()  # warm up: first-request work (session refresh, content types) is not the page's
    before, response = count_queries(fetch)
    assert getattr(response, "status_code", 200) == 200, response
    grow()
    after, response = count_queries(fetch)
    assert getattr(response, "status_code", 200) == 200, response
    assert after == before, f"query count grew with the data: {before} -> {after}"
    assert after <= max_queries, f"{after} queries, expected at most {max_queries}"
    return after
