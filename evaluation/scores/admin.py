"""Django admin for partner performance: read-only lists for lookups by portal
administrators (runs are started and decisions taken in the portal, with history)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from ..models import PartnerScore, PartnerScoreRun, ProbationDecision


class _ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg,unused-ignore]
    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(PartnerScoreRun)
class PartnerScoreRunAdmin(_ReadOnly):
    list_display = [
        "label",
        "period_start",
        "period_end",
        "threshold",
        "bottom_share",
        "finished_at",
    ]


@admin.register(PartnerScore)
class PartnerScoreAdmin(_ReadOnly):
    list_display = [
        "run",
        "organization",
        "kind",
        "score",
        "rank",
        "in_bottom_share",
        "recommendation",
    ]
    list_filter = ["kind", "recommendation", "in_bottom_share"]
    list_select_related = ["run", "organization"]
    raw_id_fields = ["run", "organization"]


@admin.register(ProbationDecision)
class ProbationDecisionAdmin(_ReadOnly):
    list_display = ["score", "decision", "decided_by", "decided_at"]
    list_select_related = ["score", "decided_by"]
    raw_id_fields = ["score", "decided_by"]
