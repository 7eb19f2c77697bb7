"""Django admin of the findings: read-only (they change through their life in the portal's
pages, with history)."""

from __future__ import annotations

from django.contrib import admin

from training_portal.core.admin import ReadOnlyAdmin

from ..models import Finding


@admin.register(Finding)
class FindingAdmin(ReadOnlyAdmin):
    list_display = ("pk", "rule", "severity", "status", "program", "organization", "last_seen_at")
    list_filter = ("status", "severity", "rule")
    list_select_related = ("program", "organization")
    search_fields = ("fingerprint",)
    date_hierarchy = "last_seen_at"
