"""Field and constraint factories for declarations that models repeat word for word.

Each returns a fresh field or constraint; the migrations see exactly what the spelled-out
declaration gave, so using one changes no schema.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


def user_ref(
    verbose_name: Any,
    *,
    on_delete: Any = models.PROTECT,
    related_name: str = "+",
    null: bool = False,
    blank: bool = False,
) -> Any:
    """A reference to a user (who opened, started, decided, recorded... something)."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=on_delete,
        null=null,
        blank=blank,
        related_name=related_name,
        verbose_name=verbose_name,
    )


def retired_at_field() -> Any:
    """When an element was retired: kept for the records, no longer offered for new use."""
    return models.DateTimeField(
        _("retired at"),
        null=True,
        blank=True,
        help_text=_("Kept for the records that refer to it, but no longer offered for new use."),
    )


def period_order_check(name: str) -> models.CheckConstraint:
    """The period (period_start..period_end) ends on or after its start."""
    return models.CheckConstraint(
        condition=Q(period_start__lte=F("period_end")),
        name=name,
        violation_error_message=_("The period must end on or after its start."),
    )
