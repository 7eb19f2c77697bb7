"""Django admin for the audits: lookups and corrections by portal administrators.

Findings change through their life in the portal's pages (with history); here they are
read-only, as are runs. Rule settings are edited in the portal so that thresholds are
validated; the admin lists them. The nightly schedule is Celery beat's "Periodic tasks"; its
changes (who, when) are listed read-only.
"""

from __future__ import annotations

from django.contrib import admin

from training_portal.core.admin import ReadOnlyAdmin

from .models import (
    AuditChunk,
    AuditRun,
    ChecklistTemplate,
    ChecklistTemplateItem,
    ConflictOfInterest,
    Draw,
    Finding,
    Inspection,
    InspectionAssignment,
    InspectionTeamMember,
    InspectorProfile,
    PublishedAuditSummary,
    PublishedReport,
    RuleSetting,
    ScheduleChange,
)


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


# ---- External inspections --------------------------------------------------------------------
# Inspectors, assignments, conflicts and checklist templates are reference data an
# administrator may correct here. Inspections change through their services (secrecy, the
# reply window, two-person publication), so they are read-mostly; draws and published versions
# are never changed, so they are read-only.


@admin.register(InspectorProfile)
class InspectorProfileAdmin(admin.ModelAdmin[InspectorProfile]):
    list_display = ("user", "affiliation", "is_lead", "is_active", "expertise")
    list_filter = ("is_lead", "is_active")
    list_select_related = ("user", "affiliation")
    search_fields = ("user__email", "user__full_name", "expertise")
    autocomplete_fields = ("user", "affiliation")


@admin.register(InspectionAssignment)
class InspectionAssignmentAdmin(admin.ModelAdmin[InspectionAssignment]):
    list_display = (
        "inspector",
        "program",
        "organization",
        "valid_from",
        "valid_until",
        "revoked_at",
    )
    list_filter = ("valid_from", "revoked_at")
    list_select_related = ("inspector", "program", "organization")
    search_fields = ("inspector__email", "program__code", "organization__name")
    autocomplete_fields = ("inspector", "program", "organization")
    readonly_fields = ("created_by", "created_at", "revoked_by")


@admin.register(ConflictOfInterest)
class ConflictOfInterestAdmin(admin.ModelAdmin[ConflictOfInterest]):
    list_display = ("inspector", "organization", "kind", "declared_at")
    list_filter = ("kind",)
    list_select_related = ("inspector", "organization")
    search_fields = ("inspector__email", "organization__name")
    autocomplete_fields = ("inspector", "organization")


class ChecklistTemplateItemInline(admin.TabularInline[ChecklistTemplateItem, ChecklistTemplate]):
    model = ChecklistTemplateItem
    extra = 0
    fields = ("position", "section", "text", "guidance")


@admin.register(ChecklistTemplate)
class ChecklistTemplateAdmin(admin.ModelAdmin[ChecklistTemplate]):
    list_display = ("title", "inspection_type", "updated_at")
    inlines = [ChecklistTemplateItemInline]


class TeamInline(admin.TabularInline[InspectionTeamMember, Inspection]):
    model = InspectionTeamMember
    extra = 0
    can_delete = False
    fields = ("inspector", "is_author")
    readonly_fields = fields

    def has_add_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(Inspection)
class InspectionAdmin(admin.ModelAdmin[Inspection]):
    """Read-mostly: only the title and the scope note can be corrected here."""

    list_display = (
        "title",
        "inspection_type",
        "program",
        "organization",
        "unannounced",
        "starts_at",
        "status",
    )
    list_filter = ("status", "inspection_type", "unannounced")
    list_select_related = ("program", "organization")
    search_fields = ("title", "program__code", "organization__name")
    date_hierarchy = "starts_at"
    inlines = [TeamInline]
    readonly_fields = (
        "inspection_type",
        "program",
        "organization",
        "unannounced",
        "starts_at",
        "ends_on",
        "status",
        "draw",
        "reply_days",
        "reply_opens_at",
        "reply_closes_at",
        "publication_requested_by",
        "publication_requested_at",
        "created_by",
        "created_at",
        "cancel_reason",
        "start_notice_sent_at",
        "correction_note",
    )

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(Draw)
class DrawAdmin(ReadOnlyAdmin):
    list_display = (
        "public_id",
        "target_kind",
        "inspection_type",
        "unannounced",
        "algorithm",
        "drawn_by",
        "drawn_at",
    )
    list_filter = ("target_kind", "inspection_type")
    list_select_related = ("drawn_by",)
    search_fields = ("public_id", "seed")


@admin.register(PublishedReport)
class PublishedReportAdmin(ReadOnlyAdmin):
    list_display = ("title", "version", "program", "organization", "published_at", "content_hash")
    list_filter = ("inspection_type",)
    list_select_related = ("program", "organization")
    search_fields = ("title", "content_hash")
    date_hierarchy = "published_at"


@admin.register(PublishedAuditSummary)
class PublishedAuditSummaryAdmin(ReadOnlyAdmin):
    list_display = ("program", "version", "as_of", "published_at", "content_hash")
    list_select_related = ("program",)
    search_fields = ("program__code", "content_hash")
    date_hierarchy = "published_at"
