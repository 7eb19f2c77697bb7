"""The filters of the lists of placements: one FilterSet per list, for the API and the pages
alike."""

from __future__ import annotations

from training_portal.core.api.filters import PageFilterSet

from ..models import Placement


class PlacementFilter(PageFilterSet):
    """Placements; `page`: the list page's filter, which takes only `status` (an unknown status
    is ignored)."""

    class Meta:
        model = Placement
        fields = ["student", "host", "status", "practice_tutor"]

    page_filters = ("status",)
