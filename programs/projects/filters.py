"""The filters of the lists of projects: one FilterSet per list, for the API and the pages alike."""

from __future__ import annotations

from django_filters import rest_framework as filters

from ..models import Project


class ProjectFilter(filters.FilterSet):
    """Projects."""

    class Meta:
        model = Project
        fields = ["program", "kind", "size", "status", "lead_organization"]
