"""Django admin of the audits: runs (with their chunks) are read-only; rule settings are
edited in the portal, so that thresholds are validated, and listed here; the nightly schedule
is Celery beat's "Periodic tasks", its changes (who, when) are listed read-only."""

from __future__ import annotations

from django.contrib import admin

from training_portal.core.admin import ReadOnlyAdmin, ReadOnlyInline

from ..models import AuditChunk, AuditRun, RuleSetting, ScheduleChange


@admin.register(RuleSetting)
class RuleSettingAdmin(ReadOnlyAdmin):
    list_display = (
        "rule",
        "program",
        "enabled",
        "severity",
        "thresholds",
        "updated_by",
        "updated_at",
    )
    list_filter = ("enabled", "severity", "rule")
    list_select_related = ("program", "updated_by")


@admin.register(ScheduleChange)
class ScheduleChangeAdmin(ReadOnlyAdmin):
    list_display = ("changed_at", "hour", "minute", "enabled", "changed_by")
    list_select_related = ("changed_by",)


class ChunkInline(ReadOnlyInline):
    model = AuditChunk
    fields = ("rule", "program", "done_at", "found", "new", "reopened", "gone")


@admin.register(AuditRun)
class AuditRunAdmin(ReadOnlyAdmin):
    list_display = ("pk", "program", "started_by", "schedule", "as_of", "created_at", "finished_at")
    list_filter = ("schedule",)
    list_select_related = ("program", "started_by")
    inlines = [ChunkInline]
