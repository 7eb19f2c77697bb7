"""The one filter of the runs list, read by the runs page and by the API alike: `program`,
`started_by`, `status` (of the run's job), `portal_wide`, `scheduled`."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from training_portal.core.api.filters import IdFilter
from training_portal.core.models import Job

from ..models import AuditRun


class AuditRunFilter(django_filters.FilterSet):
    program = IdFilter(field_name="program_id")
    started_by = IdFilter(field_name="started_by_id")
    status = django_filters.ChoiceFilter(field_name="job__status", choices=Job.Status.choices)
    portal_wide = django_filters.BooleanFilter(
        field_name="program", lookup_expr="isnull", label=_("Whole portal")
    )
    scheduled = django_filters.BooleanFilter(method="filter_scheduled", label=_("Scheduled"))

    class Meta:
        model = AuditRun
        fields: list[str] = []

    def filter_scheduled(
        self, queryset: QuerySet[AuditRun], name: str, value: bool
    ) -> QuerySet[AuditRun]:
        return queryset.exclude(schedule="") if value else queryset.filter(schedule="")
