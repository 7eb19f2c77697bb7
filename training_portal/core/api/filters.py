"""Filter pieces every API and list page shares."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Model
from django_filters import rest_framework as rest_filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

__all__ = ["IdFilter", "PageFilterSet", "StableOrderingFilter", "model_filter"]


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.NumberFilter):
    """An id: an integer (not the decimal number of `NumberFilter`)."""

    field_class = forms.IntegerField


class StableOrderingFilter(django_filters.OrderingFilter):
    """Ordering with the newest first among equals, so that pages do not overlap."""

    def filter(self, qs: Any, value: Any) -> Any:
        ordered = super().filter(qs, value)
        return ordered.order_by(*ordered.query.order_by, "-id") if value else ordered


def model_filter(
    model: type[Model], *fields: str, doc: str | None = None
) -> type[rest_filters.FilterSet]:
    """The FilterSet of a list filtered by the model's own `fields` only, one filter each as
    django-filter declares them (the API's flavour: booleans read "true"/"false")."""
    meta = type("Meta", (), {"model": model, "fields": list(fields)})
    name = f"{model.__name__}Filter"
    return type(name, (rest_filters.FilterSet,), {"Meta": meta, "__doc__": doc})


class PageFilterSet(rest_filters.FilterSet):
    """A FilterSet for the API and a list page alike: `page=True` makes it the page's filter,
    which keeps only the filters named in `page_filters` (after `for_page`, the hook that
    changes them for the page)."""

    page_filters: tuple[str, ...] = ()

    def __init__(self, *args: Any, page: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if page:
            self.for_page()
            for name in [name for name in self.filters if name not in self.page_filters]:
                del self.filters[name]

    def for_page(self) -> None:
        """Change the filters for the page before the others are dropped (nothing here)."""
