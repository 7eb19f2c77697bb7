"""`{% load formats %}`: `|money`, `|number`, `|day`, `|moment` with the portal's formats.

Prefer these to `|floatformat` and `|date:"..."`: e-mails, notifications and pages then
format values the same way as Python code (training_portal.core.formats).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import template

from .. import formats as portal_formats

register = template.Library()


@register.filter
def money(value: Any) -> str:
    """¥12,345.00 (wrap it in `class="money"` in HTML so that it never breaks)."""
    return portal_formats.format_money(value)


@register.filter
def amount(value: Any) -> str:
    """12,345.00: money in a column whose heading names the currency."""
    return portal_formats.format_money(value, symbol=False)


@register.filter
def number(value: Any, decimal_places: Any = None) -> str:
    places = None if decimal_places in (None, "") else int(decimal_places)
    return portal_formats.format_number(value, decimal_places=places)


@register.filter
def day(value: Any, arg: str = "") -> str:
    return portal_formats.format_date(value, short=arg == "short")


@register.filter
def moment(value: Any, arg: str = "") -> str:
    return portal_formats.format_datetime(value, short=arg == "short")


@register.filter
def cell(value: Any) -> Any:
    """A value of a report table: numbers grouped, dates and moments in the language's
    format, anything else as it is."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent
        places = max(0, -exponent) if isinstance(exponent, int) else None
        return portal_formats.format_number(value, decimal_places=places)
    if isinstance(value, int):
        return portal_formats.format_number(value)
    if isinstance(value, dt.datetime):
        return portal_formats.format_datetime(value)
    if isinstance(value, dt.date):
        return portal_formats.format_date(value)
    return value
