"""The filters of the lists of training plans, milestones, progress logs and case logs: one
FilterSet per list, for the API and the pages alike."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from training_portal.core.api.filters import IdFilter

from ..models import CaseLog, Milestone, ProgressLog, TrainingPlan


class _ByProgram(filters.FilterSet):
    """`program`: the student's program (an id); `page`: the attention list page's filter,
    which takes only `program` (another value than an id is ignored)."""

    program = IdFilter(field_name="student__program_id", label=_("Program"), min_value=0)

    def __init__(self, *args: Any, page: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if page:
            for name in [name for name in self.filters if name != "program"]:
                del self.filters[name]


class TrainingPlanFilter(_ByProgram):
    """Training plans; on the page of the plans to approve, by program."""

    class Meta:
        model = TrainingPlan
        fields = ["student", "status", "version"]


class MilestoneFilter(_ByProgram):
    """Students' milestones; on the page of the overdue milestones, by program."""

    class Meta:
        model = Milestone
        fields = ["student", "kind"]


class ProgressLogFilter(filters.FilterSet):
    """Progress logs."""

    class Meta:
        model = ProgressLog
        fields = ["student", "kind", "shared", "author"]


class CaseLogFilter(filters.FilterSet):
    """Case logs."""

    class Meta:
        model = CaseLog
        fields = ["student", "modality", "role", "placement"]
