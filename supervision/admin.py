"""Django admin for the audits: lookups and corrections by portal administrators.

Findings change through their life in the portal's pages (with history); here they are
read-only, as are runs. Rule settings are edited in the portal so that thresholds are
validated; the admin lists them. The nightly schedule is Celery beat's "Periodic tasks".
"""

from __future__ import annotations

from django.contrib import admin

from .models import AuditChunk, AuditRun, Finding, RuleSetting


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False


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


class ChunkInline(admin.TabularInline[AuditChunk, AuditRun]):
    model = AuditChunk
    extra = 0
    can_delete = False
    fields = ("rule", "program", "done_at", "found", "new", "reopened", "gone")
    readonly_fields = fields

    def has_add_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(AuditRun)
class AuditRunAdmin(ReadOnlyAdmin):
    list_display = ("pk", "program", "started_by", "schedule", "as_of", "created_at", "finished_at")
    list_filter = ("schedule",)
    list_select_related = ("program", "started_by")
    inlines = [ChunkInline]


@admin.register(Finding)
class FindingAdmin(ReadOnlyAdmin):
    list_display = ("pk", "rule", "severity", "status", "program", "organization", "last_seen_at")
    list_filter = ("status", "severity", "rule")
    list_select_related = ("program", "organization")
    search_fields = ("fingerprint",)
    date_hierarchy = "last_seen_at"
