"""The filters of the lists of organisations, program partners and counsellor postings: one
FilterSet per list, for the API and the pages alike."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_filters import rest_framework as filters

from accounts.models import RoleMembership
from training_portal.core.api.filters import model_filter
from training_portal.core.forms import BootstrapForm

from ..models import Organization, ProgramPartner

ANY = pgettext_lazy("filter", "Any")


class OrganizationFilter(filters.FilterSet):
    """The partner register: `kind` and `status`, and the page's search `q` (name, short name
    or city) and `city` (among the cities of the organisations the caller sees)."""

    q = filters.CharFilter(
        method="filter_q",
        label=_("Search"),
        max_length=100,
        help_text=_("Name, short name or city."),
    )
    kind = filters.ChoiceFilter(label=_("Kind"), choices=Organization.Kind.choices, empty_label=ANY)
    status = filters.ChoiceFilter(
        label=_("Status"), choices=Organization.Status.choices, empty_label=ANY
    )
    city = filters.ChoiceFilter(label=_("City or region"), choices=[], empty_label=ANY)

    class Meta:
        model = Organization
        fields = ["q", "kind", "status", "city"]
        form = BootstrapForm

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        visible = self.queryset.exclude(city="").order_by("city")

        def cities() -> list[tuple[str, str]]:
            return [(city, city) for city in visible.values_list("city", flat=True).distinct()]

        # A function, not a bound method: the filters are deep-copied with their choices. A
        # field the class-level filter built already (the API's schema and browsable forms
        # build them) would be copied with no cities: this instance builds its own.
        city = self.filters["city"]
        city.extra["choices"] = cities
        city.__dict__.pop("_field", None)

    def filter_q(self, queryset: Any, name: str, value: str) -> Any:
        text = value.strip()
        return queryset.filter(
            Q(name__icontains=text) | Q(short_name__icontains=text) | Q(city__icontains=text)
        )


ProgramPartnerFilter = model_filter(
    ProgramPartner, "program", "organization", "is_active", doc="A program's partners."
)


class CounsellorPostingFilter(django_filters.FilterSet):
    """Counsellors posted at an organisation: by organisation, and whether in force today."""

    organization = django_filters.NumberFilter(field_name="scope_id", label=_("Organisation"))
    current = django_filters.BooleanFilter(method="filter_current", label=_("In force today"))

    class Meta:
        model = RoleMembership
        fields: list[str] = []

    def filter_current(self, queryset: Any, name: str, value: bool) -> Any:
        current = queryset.current()
        return current if value else queryset.exclude(pk__in=current.values("pk"))
