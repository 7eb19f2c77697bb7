"""Admin of evaluations: read-only lists. Anonymous answers are deliberately not registered:
nobody, administrators included, browses them one by one (their aggregates are on the
results pages)."""

from __future__ import annotations

from django.contrib import admin

from training_portal.core.admin import ReadOnlyAdmin, ReadOnlyInline

from ..models import Evaluation, EvaluationRequest, EvaluationRound, Indicator, Score


@admin.register(Indicator)
class IndicatorAdmin(ReadOnlyAdmin):
    list_display = ("name", "program", "category", "weight", "scale_min", "scale_max", "position")
    list_filter = ("category",)
    list_select_related = ("program",)
    search_fields = ("name", "program__code")


@admin.register(EvaluationRound)
class EvaluationRoundAdmin(ReadOnlyAdmin):
    list_display = ("title", "program", "period_start", "period_end", "deadline", "status")
    list_filter = ("status",)
    list_select_related = ("program",)
    search_fields = ("title", "program__code")


@admin.register(EvaluationRequest)
class EvaluationRequestAdmin(ReadOnlyAdmin):
    """What is owed (and, for anonymous sources, the receipt: never the answer)."""

    list_display = ("pk", "round", "source", "subject_kind", "evaluator", "status")
    list_filter = ("status", "source")
    list_select_related = ("round", "evaluator")
    search_fields = ("evaluator__email", "round__title")


class ScoreInline(ReadOnlyInline):
    model = Score
    fields = ("indicator", "value")


@admin.register(Evaluation)
class EvaluationAdmin(ReadOnlyAdmin):
    list_display = ("pk", "round", "source", "subject_kind", "evaluator", "total", "submitted_at")
    list_filter = ("source",)
    list_select_related = ("round", "evaluator")
    inlines = [ScoreInline]
