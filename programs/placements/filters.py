"""The filters of the lists of placements: one FilterSet per list, for the API and the pages
alike."""

from __future__ import annotations

from typing import Any

from django_filters import rest_framework as filters

from ..models import Placement


class PlacementFilter(filters.FilterSet):
    """Placements; `page`: the list page's filter, which takes only `status` (an unknown status
    is ignored)."""

    class Meta:
        model = Placement
        fields = ["student", "host", "status", "practice_tutor"]

    def __init__(self, *args: Any, page: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if page:
            for name in [name for name in self.filters if name != "status"]:
                del self.filters[name]
