"""What every part of evaluations' services shares: the minimum of anonymous answers, what an
item is about, the numbers and limits, and the parsing of raw input."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings

from programs.models import Student

from ...models import SubjectKind

Errors = dict[str, list[str]]
TWO_PLACES = Decimal("0.01")
HUNDRED = Decimal(100)
COMMENT_MAX_LENGTH = 4000
#: Reminders go out for requests due within this many days (and for overdue ones).
REMIND_WITHIN_DAYS = 3
ACTIVE = Student.Status.ACTIVE


def min_anonymous() -> int:
    return int(settings.EVALUATION_MIN_ANONYMOUS)


def subject_label(item: Any) -> str:
    """What an evaluation, request or answer is about, for people (its subject's objects
    should be selected with it)."""
    kind = SubjectKind(item.subject_kind)
    if kind == SubjectKind.STUDENT:
        return str(item.student)
    if kind == SubjectKind.TUTOR:
        return str(item.tutor.user)
    if kind == SubjectKind.PLACEMENT:
        return str(item.placement.host)
    if kind == SubjectKind.PARTNER:
        return str(item.organization)
    return str(item.round.program)


def parse_decimal(value: Any) -> Decimal | None:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def parse_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None
