"""The filters of the lists of training plans, milestones, progress logs and case logs: one
FilterSet per list, for the API and the pages alike."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from training_portal.core.api.filters import IdFilter, PageFilterSet, model_filter

from ..models import CaseLog, Milestone, ProgressLog, TrainingPlan


class _ByProgram(PageFilterSet):
    """`program`: the student's program (an id); `page`: the attention list page's filter,
    which takes only `program` (another value than an id is ignored)."""

    program = IdFilter(field_name="student__program_id", label=_("Program"), min_value=0)
    page_filters = ("program",)


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


ProgressLogFilter = model_filter(
    ProgressLog, "student", "kind", "shared", "author", doc="Progress logs."
)

CaseLogFilter = model_filter(CaseLog, "student", "modality", "role", "placement", doc="Case logs.")
