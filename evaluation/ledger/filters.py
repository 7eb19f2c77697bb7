"""The filters of the reward ledger's entries, shared by the pages and the API
(the API's flavour of FilterSet: booleans read "true"/"false")."""

from __future__ import annotations

from django_filters import rest_framework as filters

from ..models import RewardEntry


class RewardEntryFilter(filters.FilterSet):
    # Bounded: a year outside 1-9999 is no date, and the lookup would raise (a 500).
    year = filters.NumberFilter(
        field_name="earned_on", lookup_expr="year", min_value=1, max_value=9999
    )
    earned_from = filters.DateFilter(field_name="earned_on", lookup_expr="gte")
    earned_to = filters.DateFilter(field_name="earned_on", lookup_expr="lte")

    class Meta:
        model = RewardEntry
        fields = ["program", "project", "user", "organization", "kind"]
