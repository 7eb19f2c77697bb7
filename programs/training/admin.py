"""Admin of training plans, milestones, progress logs, case logs and sign-off links."""

from __future__ import annotations

from django.contrib import admin

from training_portal.core.admin import read_only_rows_inline

from .. import models as m
from ..records.admin import ReadOnlyAppendOnlyAdmin


@admin.register(m.TrainingPlan)
class TrainingPlanAdmin(admin.ModelAdmin[m.TrainingPlan]):
    list_display = ("student", "version", "status", "career_goal", "updated_at")
    list_filter = ("status", "career_goal")
    search_fields = ("student__student_number", "student__user__full_name")
    list_select_related = ("student__user",)
    readonly_fields = ("status",)
    inlines = [
        read_only_rows_inline(
            m.PlanTransition, readonly_fields=("from_status", "to_status", "by", "at", "comment")
        )
    ]


@admin.register(m.Milestone)
class MilestoneAdmin(admin.ModelAdmin[m.Milestone]):
    list_display = ("title", "student", "due_date", "completed_on", "signed_off_by")
    list_filter = ("kind",)
    search_fields = ("title", "student__student_number")
    list_select_related = ("student__user", "signed_off_by")


@admin.register(m.ProgressLog)
class ProgressLogAdmin(admin.ModelAdmin[m.ProgressLog]):
    list_display = ("student", "author", "date", "kind", "minutes", "shared", "acknowledged_at")
    list_filter = ("kind", "shared")
    search_fields = ("student__student_number", "summary")
    list_select_related = ("student__user", "author")
    inlines = [
        read_only_rows_inline(
            m.ProgressLogCorrection, readonly_fields=("author", "text", "created_at")
        )
    ]


@admin.register(m.CaseLog)
class CaseLogAdmin(admin.ModelAdmin[m.CaseLog]):
    list_display = ("student", "date", "modality", "procedure", "count", "role", "verified_by")
    list_filter = ("modality", "role")
    list_select_related = ("student__user", "verified_by")


@admin.register(m.SignOffToken)
class SignOffTokenAdmin(ReadOnlyAppendOnlyAdmin):
    list_display = ("target_type", "target_id", "tutor", "created_at", "expires_at", "used_at")
    readonly_fields = (
        "token_hash",
        "tutor",
        "target_type",
        "target_id",
        "created_by",
        "created_at",
        "expires_at",
        "used_at",
    )
