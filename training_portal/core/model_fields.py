"""Field and constraint factories for declarations that models repeat word for word.

Each returns a fresh field, constraint or condition; the migrations see exactly what the
spelled-out declaration gave, so using one changes no schema.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# ---- Fields ----------------------------------------------------------------------------------


def user_ref(
    verbose_name: Any = None,
    *,
    on_delete: Any = models.PROTECT,
    related_name: str = "+",
    null: bool = False,
    blank: bool = False,
    **options: Any,
) -> Any:
    """A reference to a user (who opened, started, decided, recorded... something)."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=on_delete,
        null=null,
        blank=blank,
        related_name=related_name,
        verbose_name=verbose_name,
        **options,
    )


def ref(
    to: Any,
    verbose_name: Any = None,
    *,
    related_name: str,
    on_delete: Any = models.PROTECT,
    **options: Any,
) -> Any:
    """A required link to the row this one belongs to or is about; by default that row
    cannot be deleted while this one refers to it."""
    return models.ForeignKey(
        to, on_delete=on_delete, related_name=related_name, verbose_name=verbose_name, **options
    )


def optional_fk(
    to: Any,
    verbose_name: Any = None,
    *,
    on_delete: Any,
    related_name: str = "+",
    **options: Any,
) -> Any:
    """An optional link to another row: it may be empty, in forms and in the database."""
    return models.ForeignKey(
        to,
        on_delete=on_delete,
        null=True,
        blank=True,
        related_name=related_name,
        verbose_name=verbose_name,
        **options,
    )


def actor_field(verbose_name: Any = None, *, on_delete: Any = models.PROTECT) -> Any:
    """Who took a step (confirmed, completed, cancelled...), empty until someone has."""
    return user_ref(verbose_name, on_delete=on_delete, null=True, blank=True)


def moment_field(verbose_name: Any) -> Any:
    """When a step was taken, empty until it has been (the pair of an `actor_field`)."""
    return models.DateTimeField(verbose_name, null=True, blank=True)


def now_field(verbose_name: Any) -> Any:
    """When a row's event happened, the moment it is recorded unless told otherwise."""
    return models.DateTimeField(verbose_name, default=timezone.now)


def retired_at_field() -> Any:
    """When an element was retired: kept for the records, no longer offered for new use."""
    return models.DateTimeField(
        _("retired at"),
        null=True,
        blank=True,
        help_text=_("Kept for the records that refer to it, but no longer offered for new use."),
    )


# ---- Constraints -----------------------------------------------------------------------------


def unique(
    fields: Sequence[str], name: str, message: Any = None, **options: Any
) -> models.UniqueConstraint:
    """A unique constraint over `fields` (options: its `condition`), with its message."""
    if message is not None:
        options["violation_error_message"] = message
    return models.UniqueConstraint(fields=list(fields), name=name, **options)


def check(condition: Q, name: str, message: Any = None) -> models.CheckConstraint:
    """A check constraint, with its message when it has one."""
    if message is None:
        return models.CheckConstraint(condition=condition, name=name)
    return models.CheckConstraint(condition=condition, name=name, violation_error_message=message)


def one_of(first: str, second: str) -> Q:
    """Exactly one of two references is set."""
    return Q(**{f"{first}__isnull": True, f"{second}__isnull": False}) | Q(
        **{f"{first}__isnull": False, f"{second}__isnull": True}
    )


def both_or_neither(first: str, second: str) -> Q:
    """Two fields are set together or not at all."""
    return Q(**{f"{first}__isnull": True, f"{second}__isnull": True}) | Q(
        **{f"{first}__isnull": False, f"{second}__isnull": False}
    )


def in_range(field: str, low: Any, high: Any, *, optional: bool = False) -> Q:
    """`field` lies between `low` and `high`, both included (or is empty, when optional)."""
    bounds = Q(**{f"{field}__gte": low, f"{field}__lte": high})
    return Q(**{f"{field}__isnull": True}) | bounds if optional else bounds


def explained_when(field: str, **when: Any) -> Q:
    """Rows matching `when` (a status, a pair of statuses...) need a text in `field`."""
    return ~Q(**when) | ~Q(**{field: ""})


def status_change_check(name: str) -> models.CheckConstraint:
    """A recorded change of status (from_status -> to_status) really changes it."""
    return check(
        ~Q(from_status=F("to_status")),
        name,
        _("The new status must differ from the old one."),
    )


def period_check(
    name: str,
    message: Any,
    start: str = "start_date",
    end: str = "end_date",
    *,
    open_end: bool = False,
    open_start: bool = False,
) -> models.CheckConstraint:
    """A period (`start`..`end`) does not end before it starts; an open end (or start) may
    be empty."""
    condition = Q(**{f"{end}__gte": F(start)})
    if open_start:
        condition = Q(**{f"{start}__isnull": True}) | condition
    if open_end:
        condition = Q(**{f"{end}__isnull": True}) | condition
    return check(condition, name, message)


def period_order_check(name: str) -> models.CheckConstraint:
    """The period (period_start..period_end) ends on or after its start."""
    return check(
        Q(period_start__lte=F("period_end")),
        name,
        _("The period must end on or after its start."),
    )
