"""The filters of partner scores, shared by the pages and the API
(the API's flavour of FilterSet: booleans read "true"/"false")."""

from __future__ import annotations

from django_filters import rest_framework as filters

from ..models import PartnerScore


class PartnerScoreFilter(filters.FilterSet):
    class Meta:
        model = PartnerScore
        fields = ["run", "kind", "organization", "recommendation", "in_bottom_share"]
