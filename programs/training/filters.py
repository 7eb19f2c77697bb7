"""The filters of the lists of training plans, milestones, progress logs and case logs: one
FilterSet per list, for the API and the pages alike."""

from __future__ import annotations

from django_filters import rest_framework as filters

from ..models import CaseLog, Milestone, ProgressLog, TrainingPlan


class TrainingPlanFilter(filters.FilterSet):
    """Training plans."""

    class Meta:
        model = TrainingPlan
        fields = ["student", "status", "version"]


class MilestoneFilter(filters.FilterSet):
    """Students" milestones."""

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
