"""Filter pieces every API and list page shares."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

__all__ = ["IdFilter", "StableOrderingFilter"]


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.NumberFilter):
    """An id: an integer (not the decimal number of `NumberFilter`)."""

    field_class = forms.IntegerField


class StableOrderingFilter(django_filters.OrderingFilter):
    """Ordering with the newest first among equals, so that pages do not overlap."""

    def filter(self, qs: Any, value: Any) -> Any:
        ordered = super().filter(qs, value)
        return ordered.order_by(*ordered.query.order_by, "-id") if value else ordered
