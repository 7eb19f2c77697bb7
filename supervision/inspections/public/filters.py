"""The filters of the public lists, one FilterSet per list, used by the public pages and the
public API alike. Each accepts the pages' parameter names and the API's (`type` and
`inspection_type`, `published_from`/`published_to` and `published_after`/`published_before`):
no existing URL breaks. The API answers 400 to an invalid value; a page reports it on the form
and ignores it (`valid_filters_applied`)."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from programs.models import Organization, Program, ProgramPartner
from training_portal.core.forms import BootstrapForm

from ...models import InspectionType, PublishedAuditSummary, PublishedReport

#: Words of a search (more are ignored: a search is a few words, not a document).
MAX_SEARCH_WORDS = 8


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None, format: str | None = None) -> None:
        # ISO dates: what <input type="date"> sends and shows, whatever the language.
        super().__init__(attrs, format or "%Y-%m-%d")


def search_words(text: str) -> list[str]:
    return text.split()[:MAX_SEARCH_WORDS]


def valid_filters_applied(filterset: django_filters.FilterSet) -> QuerySet[Any]:
    """The filterset's queryset with its valid filters applied: an invalid one is reported on
    the form (`filterset.form.errors`) and ignored (the pages' way; the API refuses)."""
    if not filterset.is_bound:
        return filterset.queryset
    filterset.form.is_valid()
    return filterset.filter_queryset(filterset.queryset)


class ReportFilterForm(BootstrapForm):
    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        start = self.cleaned_data.get("published_from")
        end = self.cleaned_data.get("published_to")
        if start and end and start > end:
            self.add_error("published_to", _("The end of the period is before its start."))
        return cleaned


def published_organizations(request: Any = None) -> QuerySet[Organization]:
    # Only what has been published can be picked (and nothing else is revealed).
    published = PublishedReport.objects.values("organization_id")
    return Organization.objects.filter(pk__in=published).order_by("name")


def published_programs(request: Any = None) -> QuerySet[Program]:
    return Program.objects.filter(pk__in=PublishedReport.objects.values("program_id")).order_by(
        "code"
    )


def organization_choice(queryset: Any, **options: Any) -> django_filters.ModelChoiceFilter:
    """An organisation among `queryset` (a function of the request), all of them by default."""
    return django_filters.ModelChoiceFilter(
        label=gettext_lazy("Organisation"),
        queryset=queryset,
        empty_label=gettext_lazy("All organisations"),
        **options,
    )


def program_choice(queryset: Any, **options: Any) -> django_filters.ModelChoiceFilter:
    """A program among `queryset` (a function of the request), all of them by default."""
    return django_filters.ModelChoiceFilter(
        label=gettext_lazy("Program"),
        queryset=queryset,
        empty_label=gettext_lazy("All programs"),
        **options,
    )


def published_on(lookup_expr: str, label: Any, **options: Any) -> django_filters.DateFilter:
    """A filter on the day a version was published (`gte`: from that day on, `lte`: until it);
    a date input unless `options` give another widget."""
    return django_filters.DateFilter(
        field_name="published_at__date",
        lookup_expr=lookup_expr,
        label=label,
        **{"widget": DateInput, **options},
    )


def api_published_on(lookup_expr: str, label: Any) -> django_filters.DateFilter:
    """`published_on` under the API's name of the filter: not shown on the page's form."""
    return published_on(lookup_expr, label, widget=forms.HiddenInput)


class PublicReportFilter(django_filters.FilterSet):
    """Search and filters of the published reports (the newest version of each)."""

    q = django_filters.CharFilter(method="search", max_length=200, label=gettext_lazy("Search"))
    organization = organization_choice(published_organizations)
    program = program_choice(published_programs)
    type = django_filters.ChoiceFilter(
        field_name="inspection_type",
        label=gettext_lazy("Inspection type"),
        choices=InspectionType.choices,
        empty_label=gettext_lazy("All types"),
    )
    published_from = published_on("gte", gettext_lazy("Published from"))
    published_to = published_on("lte", gettext_lazy("Published until"))
    # The API's names of the same filters (not shown on the page's form).
    inspection_type = django_filters.ChoiceFilter(
        choices=InspectionType.choices, widget=forms.HiddenInput
    )
    published_after = api_published_on("gte", gettext_lazy("Published on or after"))
    published_before = api_published_on("lte", gettext_lazy("Published on or before"))

    class Meta:
        model = PublishedReport
        fields: list[str] = []
        form = ReportFilterForm

    def search(
        self, queryset: QuerySet[PublishedReport], name: str, value: str
    ) -> QuerySet[PublishedReport]:
        for word in search_words(value):
            queryset = queryset.filter(Q(title__icontains=word) | Q(search_text__icontains=word))
        return queryset


def summary_programs(request: Any = None) -> QuerySet[Program]:
    programs = PublishedAuditSummary.objects.values("program_id")
    return Program.objects.filter(pk__in=programs).order_by("code")


def summary_organizations(request: Any = None) -> QuerySet[Organization]:
    programs = PublishedAuditSummary.objects.values("program_id")
    organizations = Organization.objects.filter(
        Q(led_programs__in=programs)
        | Q(partnerships__program_id__in=programs, partnerships__is_active=True)
    )
    return organizations.distinct().order_by("name")


def summaries_of_organization(
    queryset: QuerySet[PublishedAuditSummary], name: str, value: Organization
) -> QuerySet[PublishedAuditSummary]:
    """The summaries of the programs `value` leads or is an active partner of."""
    partners = ProgramPartner.objects.filter(organization=value, is_active=True)
    return queryset.filter(
        Q(program__lead_university=value) | Q(program_id__in=partners.values("program_id"))
    )


class PublicAuditSummaryFilter(django_filters.FilterSet):
    """Filters of the published audit summaries; applied to the versions, before the newest
    version of each program's summary is taken."""

    program = program_choice(summary_programs)
    organization = organization_choice(
        summary_organizations,
        method=summaries_of_organization,
        help_text=gettext_lazy("The programs it leads or takes part in."),
    )
    date = published_on(
        "lte",
        gettext_lazy("As published on"),
        help_text=gettext_lazy("The version of each summary that was current on this day."),
    )

    class Meta:
        model = PublishedAuditSummary
        fields: list[str] = []
        form = BootstrapForm
