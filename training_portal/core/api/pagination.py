"""The API's pagination: numbered pages for lists that stay small, cursors for the lists that
grow to millions of rows (progress logs, case logs, milestones, ledger entries).

A cursor page holds `next`, `previous` and `results`, and no `count`: an exact COUNT of
millions of rows cost more than the page itself. The cursor is the position of the page's last
row in the list's order, tie-broken by `id`, so that each page is an index range read
(`WHERE (date, id) < (…)`), as fast at the millionth row as at the first.
"""

from __future__ import annotations

import datetime as dt
import json
from base64 import b64decode, b64encode
from decimal import Decimal
from functools import reduce
from operator import and_, or_
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import Cursor, CursorPagination, PageNumberPagination
from rest_framework.request import Request
from rest_framework.utils.urls import replace_query_param

__all__ = ["CursorPage", "PagePagination", "cursor_pages"]

#: Said to a client that asks a cursor list for a numbered page.
NO_PAGE_NUMBERS = _(
    'This list pages by cursor, without page numbers: follow its "next" and "previous" links.'
)

CURSOR_LIST_DOC = (
    "A page of a list that can hold millions of rows: it pages by cursor (follow `next` and "
    "`previous`; `page_size` up to 200) and gives no total count."
)


class PagePagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200


def _plain(value: Any) -> Any:
    """A row's value as JSON keeps it exactly (dates and times in ISO 8601 with microseconds)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value) if isinstance(value, Decimal) else value


def _after(model: type[Model], name: str, value: Any, descending: bool) -> Q:
    """The rows strictly after `value` of the field `name` in its direction. PostgreSQL sorts
    NULL after every value in ascending order (and so before them in descending order)."""
    nullable = model._meta.get_field(name).null
    if value is None:
        return Q(pk__in=[]) if not descending else Q(**{f"{name}__isnull": False})
    after = Q(**{f"{name}__{'lt' if descending else 'gt'}": value})
    return after | Q(**{f"{name}__isnull": True}) if nullable and not descending else after


def _same(name: str, value: Any) -> Q:
    return Q(**{f"{name}__isnull": True} if value is None else {name: value})


def _from(model: type[Model], name: str, value: Any, descending: bool) -> Q:
    """The rows at or after `value` of the field `name`: one range condition of its index."""
    if value is None:
        return Q() if descending else Q(**{f"{name}__isnull": True})
    start = Q(**{f"{name}__{'lte' if descending else 'gte'}": value})
    nulls_last = model._meta.get_field(name).null and not descending
    return start | Q(**{f"{name}__isnull": True}) if nulls_last else start


def keyset_after(model: type[Model], ordering: tuple[str, ...], values: list[Any]) -> Q:
    """The rows after the row whose `ordering` fields hold `values`: `(a, b) > (x, y)` spelt
    as `a >= x AND (a > x OR (a = x AND b > y))`, whose first term bounds the index range."""
    fields = [(order.lstrip("-"), order.startswith("-")) for order in ordering]
    branches = [
        reduce(and_, [_same(n, v) for (n, _d), v in zip(fields[:k], values, strict=False)], Q())
        & _after(model, name, values[k], descending)
        for k, (name, descending) in enumerate(fields)
    ]
    (first, descending), first_value = fields[0], values[0]
    return _from(model, first, first_value, descending) & reduce(or_, branches)


class CursorPage(CursorPagination):
    """Cursor pages in `ordering` (or the client's `?ordering=`), tie-broken by `id`.

    DRF's own cursor keeps only the first field's value and counts the rows that share it (at
    most 1,000, then pages repeat); this one keeps every field's value, so the cursor is unique
    and a page is one range read of the index on the ordering."""

    ordering: Any = ("-id",)
    page_size_query_param = "page_size"
    max_page_size = 200

    def paginate_queryset(  # type: ignore[override]
        self, queryset: QuerySet[Any], request: Request, view: Any = None
    ) -> list[Any]:
        if "page" in request.query_params:
            raise ValidationError({"page": [NO_PAGE_NUMBERS]})
        self.request = request
        size = self.page_size = self.get_page_size(request) or self.max_page_size
        self.base_url = request.build_absolute_uri()
        self.ordering = self.get_ordering(request, queryset, view)
        self.cursor = self.decode_cursor(request)
        reverse = bool(self.cursor and self.cursor.reverse)
        # The position is the JSON of the row's values (DRF's stubs type it as an int).
        position: str | None = self.cursor.position if self.cursor else None  # type: ignore[assignment]
        order = [_flip(o) for o in self.ordering] if reverse else list(self.ordering)
        rows = queryset.order_by(*order)
        if position is not None:
            rows = self._after(rows, tuple(order), position)
        results = list(rows[: size + 1])
        self.page = results[:size]
        following = (
            self._get_position_from_instance(results[-1], self.ordering)
            if len(results) > size
            else None
        )
        if reverse:
            self.page.reverse()
        before, after = (following, position) if reverse else (position, following)
        self.has_previous, self.has_next = before is not None, after is not None
        self.previous_position, self.next_position = before, after
        self.display_page_controls = self.has_previous or self.has_next
        return self.page

    def _after(self, rows: QuerySet[Any], order: tuple[str, ...], position: str) -> QuerySet[Any]:
        try:
            values = json.loads(position)
            if not isinstance(values, list) or len(values) != len(order):
                raise ValueError(position)
            return rows.filter(keyset_after(rows.model, order, values))
        except (ValueError, TypeError, DjangoValidationError) as invalid:
            raise NotFound(self.invalid_cursor_message) from invalid

    def get_ordering(self, request: Request, queryset: Any, view: Any) -> tuple[str, ...]:
        ordering = tuple(super().get_ordering(request, queryset, view))
        if not {"id", "-id", "pk", "-pk"} & set(ordering):
            ordering += ("-id" if ordering[0].startswith("-") else "id",)
        return ordering

    def decode_cursor(self, request: Request) -> Cursor | None:
        encoded = request.query_params.get(self.cursor_query_param)
        if encoded is None:
            return None
        try:
            cursor = json.loads(b64decode(encoded.encode("ascii"), validate=True))
            position = None if cursor["p"] is None else json.dumps(cursor["p"])
            return Cursor(offset=0, reverse=bool(cursor["r"]), position=position)  # type: ignore[arg-type]
        except (ValueError, TypeError, KeyError, UnicodeError) as invalid:
            raise NotFound(self.invalid_cursor_message) from invalid

    def encode_cursor(self, cursor: Cursor) -> str:
        position = None if cursor.position is None else json.loads(str(cursor.position))
        state = {"r": int(cursor.reverse), "p": position}
        encoded = b64encode(json.dumps(state, separators=(",", ":")).encode()).decode("ascii")
        return replace_query_param(str(self.base_url), self.cursor_query_param, encoded)

    def _get_position_from_instance(self, instance: Any, ordering: Any) -> str:
        names = [order.lstrip("-") for order in ordering]
        return json.dumps([_plain(getattr(instance, name)) for name in names])

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {**super().get_paginated_response_schema(schema), "description": CURSOR_LIST_DOC}


def _flip(order: str) -> str:
    return order[1:] if order.startswith("-") else f"-{order}"


def cursor_pages(*ordering: str) -> type[CursorPage]:
    """The cursor pagination of a list whose default order is `ordering` (ending in `id`)."""
    return type("CursorPage", (CursorPage,), {"ordering": ordering})
