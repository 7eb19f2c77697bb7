"""The filters of the lists of organisations, program partners and counsellor postings: one
FilterSet per list, for the API and the pages alike."""

from __future__ import annotations

from typing import Any

import django_filters
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from accounts.models import RoleMembership

from ..models import Organization, ProgramPartner


class OrganizationFilter(filters.FilterSet):
    """The partner register."""

    class Meta:
        model = Organization
        fields = ["kind", "status"]


class ProgramPartnerFilter(filters.FilterSet):
    """A program's partners."""

    class Meta:
        model = ProgramPartner
        fields = ["program", "organization", "is_active"]


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
