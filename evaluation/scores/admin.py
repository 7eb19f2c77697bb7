"""Django admin for partner performance: read-only lists for lookups by portal
administrators (runs are started and decisions taken in the portal, with history)."""

from __future__ import annotations

from django.contrib import admin

from training_portal.core.admin import ReadOnlyAdmin

from ..models import PartnerScore, PartnerScoreRun, ProbationDecision


@admin.register(PartnerScoreRun)
class PartnerScoreRunAdmin(ReadOnlyAdmin):
    list_display = [
        "label",
        "period_start",
        "period_end",
        "threshold",
        "bottom_share",
        "finished_at",
    ]


@admin.register(PartnerScore)
class PartnerScoreAdmin(ReadOnlyAdmin):
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
class ProbationDecisionAdmin(ReadOnlyAdmin):
    list_display = ["score", "decision", "decided_by", "decided_at"]
    list_select_related = ["score", "decided_by"]
    raw_id_fields = ["score", "decided_by"]
