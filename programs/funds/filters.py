"""The filters of the lists of budget lines and expenditures: one FilterSet per list, for the API
and the pages alike."""

from __future__ import annotations

from django_filters import rest_framework as filters

from ..models import BudgetLine, Expenditure


class BudgetLineFilter(filters.FilterSet):
    """Budget lines."""

    class Meta:
        model = BudgetLine
        fields = ["program", "holder", "category"]


class ExpenditureFilter(filters.FilterSet):
    """Expenditures."""

    class Meta:
        model = Expenditure
        fields = ["line", "status", "category"]
