"""The one filter of the inspections list, read by the page and by the API alike.

Both take `status` and `inspection_type` (one on the page, one or more in the API), `target`
("program:<id>" or "organization:<id>", among the programs and organisations of the
inspections the caller sees; another is refused), `program` and `organization` (any id: an
unknown one finds nothing), `announcement` ("announced" or "unannounced") and `unannounced`
(true or false), `mine` (on the caller's team), `starts_after`, `starts_before`, `q` (in the
title) and `ordering`. The page shows `status`, `inspection_type`, `target`, `announcement`
(only to those who may know of unannounced inspections before they start) and `mine` (only
to inspectors).
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from programs.models import Organization, Program
from training_portal.core.api.filters import IdFilter, StableOrderingFilter
from training_portal.core.forms import BootstrapForm

from ..findings.filters import OneOrMoreFilter, TickFilter
from ..models import Inspection, InspectionType
from .forms import TargetField

ANY = ""
ANNOUNCED = "announced"
UNANNOUNCED = "unannounced"
#: The filters the page shows, in its order (`mine` is drawn apart, as a checkbox).
PAGE_FILTERS = ("status", "inspection_type", "target", "announcement")


def _any() -> tuple[str, Any]:
    return (ANY, pgettext_lazy("filter", "Any"))


@extend_schema_field(OpenApiTypes.STR)
class TargetFilter(django_filters.Filter):
    """One program or one organisation, as "program:<id>" or "organization:<id>"."""

    field_class = TargetField

    def filter(self, qs: Any, value: Any) -> Any:
        return qs.filter(**value) if value else qs


class InspectionFilter(django_filters.FilterSet):
    status = OneOrMoreFilter(label=_("Status"), choices=[_any(), *Inspection.Status.choices])
    inspection_type = OneOrMoreFilter(label=_("Type"), choices=[_any(), *InspectionType.choices])
    target = TargetFilter(label=_("Program or organisation"))
    announcement = django_filters.ChoiceFilter(
        label=_("Announcement"),
        choices=[_any(), (ANNOUNCED, _("Announced")), (UNANNOUNCED, _("Unannounced"))],
        empty_label=None,
        method="filter_announcement",
    )
    mine = TickFilter(label=_("On my team"), method="filter_mine")
    program = IdFilter(field_name="program_id")
    organization = IdFilter(field_name="organization_id")
    unannounced = django_filters.BooleanFilter()
    starts_after = django_filters.DateFilter(field_name="starts_at__date", lookup_expr="gte")
    starts_before = django_filters.DateFilter(field_name="starts_at__date", lookup_expr="lte")
    q = django_filters.CharFilter(
        field_name="title", lookup_expr="icontains", max_length=200, label=_("Title contains")
    )
    ordering = StableOrderingFilter(
        fields=(("starts_at", "starts_at"), ("ends_on", "ends_on"), ("status", "status"))
    )

    class Meta:
        model = Inspection
        fields: list[str] = []
        form = BootstrapForm

    def __init__(
        self,
        *args: Any,
        page: bool = False,
        may_know_unannounced: bool = True,
        on_teams: bool = True,
        **kwargs: Any,
    ) -> None:
        """`page`: the list page's filter, which offers the announcement filter only to
        those who may know of unannounced inspections before they start
        (`may_know_unannounced`) and "on my team" only to inspectors (`on_teams`)."""
        super().__init__(*args, **kwargs)
        self.page = page
        if page and not may_know_unannounced:
            del self.filters["announcement"]
        if page and not on_teams:
            del self.filters["mine"]

    @property
    def form(self) -> forms.Form:
        if hasattr(self, "_form"):
            return self._form
        form = super().form
        if self.page or (self.data or {}).get("target"):
            visible = self.queryset
            target: Any = form.fields["target"]
            target.set_targets(
                Program.objects.filter(pk__in=visible.values("program_id")).order_by("code"),
                Organization.objects.filter(pk__in=visible.values("organization_id")).order_by(
                    "name"
                ),
            )
            target.choices = [_any(), *target.choices[1:]]
        return form

    def page_fields(self) -> list[forms.BoundField]:
        """The filters the page shows in a row, in its order."""
        return [self.form[name] for name in PAGE_FILTERS if name in self.form.fields]

    def filter_announcement(
        self, queryset: QuerySet[Inspection], name: str, value: str
    ) -> QuerySet[Inspection]:
        if value == ANNOUNCED:
            return queryset.filter(unannounced=False)
        if value == UNANNOUNCED:
            return queryset.filter(unannounced=True)
        return queryset

    def filter_mine(
        self, queryset: QuerySet[Inspection], name: str, value: bool
    ) -> QuerySet[Inspection]:
        return queryset.filter(team__inspector=self.request.user) if value else queryset
