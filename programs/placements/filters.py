"""The filters of the lists of placements: one FilterSet per list, for the API and the pages
alike."""

from __future__ import annotations

from django_filters import rest_framework as filters

from ..models import Placement


class PlacementFilter(filters.FilterSet):
    """Placements."""

    class Meta:
        model = Placement
        fields = ["student", "host", "status", "practice_tutor"]
