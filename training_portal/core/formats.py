"""One format per language for dates, times, numbers and money, in pages, e-mails,
notifications and reports.

The formats themselves live in `training_portal/formats/<language>/formats.py`
(FORMAT_MODULE_PATH); these functions apply them in the active language, so code that builds
a sentence outside a template formats its values exactly as the templates do (the filters of
`{% load formats %}` call the same functions).
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils import formats, timezone

__all__ = ["CURRENCY_SYMBOL", "format_date", "format_datetime", "format_money", "format_number"]

# The portal keeps its money in one currency, renminbi.
CURRENCY_SYMBOL = "¥"
_CENT = Decimal("0.01")


def format_date(value: dt.date | dt.datetime | None, *, short: bool = False) -> str:
    """A date ("7 December 2026" / "2026年12月7日"; short: "2026-12-07"); a moment is
    first turned into local time."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        value = value.date()
    return formats.date_format(value, "SHORT_DATE_FORMAT" if short else "DATE_FORMAT")


def format_datetime(value: dt.datetime | None, *, short: bool = False) -> str:
    """A moment in local time ("7 December 2026, 14:05" / "2026年12月7日 14:05")."""
    if value is None:
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return formats.date_format(value, "SHORT_DATETIME_FORMAT" if short else "DATETIME_FORMAT")


def format_number(value: Any, *, decimal_places: int | None = None) -> str:
    """A number with the language's decimal mark and thousands grouped ("12,345.5")."""
    if value is None or value == "":
        return ""
    return formats.number_format(value, decimal_pos=decimal_places, force_grouping=True)


def format_money(value: Any, *, symbol: bool = True) -> str:
    """An amount of money: a Decimal rounded half up to cents, grouped ("¥12,345.00").

    Floats are refused (money is Decimal); ints and numeric strings are accepted.
    """
    if value is None or value == "":
        return ""
    if isinstance(value, float):
        raise TypeError("money is a Decimal, not a float")
    amount = Decimal(value).quantize(_CENT, rounding=ROUND_HALF_UP)
    text = formats.number_format(abs(amount), decimal_pos=2, force_grouping=True)
    sign = "-" if amount < 0 else ""
    return f"{sign}{CURRENCY_SYMBOL if symbol else ''}{text}"
