"""The filters of the lists of budget lines and expenditures: one FilterSet per list, for the API
and the pages alike.

The pages choose the program among those of the budget lines their viewer sees (another is
refused with 400) and show only `program` (and the expenditures' `status`); the API takes any
program and its other filters too."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from training_portal.core.api.filters import PageFilterSet
from training_portal.core.forms import BootstrapForm

from ..models import BudgetLine, Expenditure, Program


def _line_programs(request: Any) -> QuerySet[Program]:
    """The programs of the budget lines the caller sees."""
    user = getattr(request, "user", None)
    if user is None:
        return Program.objects.none()
    visible = BudgetLine.objects.visible_to(user).values("program_id")
    return Program.objects.filter(pk__in=visible).order_by("code")


class _PageFilterSet(PageFilterSet):
    """`page`: the list page's filter: `program` among the programs of the visible lines, and
    only the filters named in `page_filters`."""

    program_field = "program"

    def for_page(self) -> None:
        program = filters.ModelChoiceFilter(
            field_name=self.program_field,
            label=_("Program"),
            queryset=_line_programs,
            empty_label=_("All programs"),
        )
        program.parent, program.model = self, self._meta.model
        self.filters["program"] = program


class BudgetLineFilter(_PageFilterSet):
    """Budget lines: `program`, `holder`, `category` (the page: `program`)."""

    page_filters = ("program",)

    class Meta:
        model = BudgetLine
        fields = ["program", "holder", "category"]
        form = BootstrapForm


class ExpenditureFilter(_PageFilterSet):
    """Expenditures: `line`, `status`, `category`, `program` (the page: `program`, `status`)."""

    page_filters = ("program", "status")
    program_field = "line__program"

    program = filters.ModelChoiceFilter(
        field_name="line__program", label=_("Program"), queryset=Program.objects.all()
    )
    status = filters.ChoiceFilter(
        label=_("Status"),
        choices=Expenditure.Status.choices,
        empty_label=_("All statuses"),
    )

    class Meta:
        model = Expenditure
        fields = ["program", "line", "status", "category"]
        form = BootstrapForm
