"""Django admin of supervision: lookups and corrections by portal administrators. The audits'
and the findings' models are registered by their features (`audits/admin.py`,
`findings/admin.py`); the inspections' below."""

from __future__ import annotations

from django.contrib import admin

from training_portal.core.admin import ReadOnlyAdmin, ReadOnlyInline, rows_inline

from .audits import admin as audits_admin  # noqa: F401  (registers the audits' models)
from .findings import admin as findings_admin  # noqa: F401  (registers Finding)
from .models import (
    ChecklistTemplate,
    ChecklistTemplateItem,
    ConflictOfInterest,
    Draw,
    Inspection,
    InspectionAssignment,
    InspectionTeamMember,
    InspectorProfile,
    PublishedAuditSummary,
    PublishedReport,
)

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


@admin.register(ChecklistTemplate)
class ChecklistTemplateAdmin(admin.ModelAdmin[ChecklistTemplate]):
    list_display = ("title", "inspection_type", "updated_at")
    inlines = [
        rows_inline(ChecklistTemplateItem, fields=("position", "section", "text", "guidance"))
    ]


class TeamInline(ReadOnlyInline):
    model = InspectionTeamMember
    fields = ("inspector", "is_author")


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
