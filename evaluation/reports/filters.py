"""The filters of the reports' list, shared by the pages and the API
(the API's flavour of FilterSet: booleans read "true"/"false")."""

from __future__ import annotations

from django_filters import rest_framework as filters

from ..models import Report


class ReportFilter(filters.FilterSet):
    class Meta:
        model = Report
        fields = ["kind", "program", "organization", "student"]
