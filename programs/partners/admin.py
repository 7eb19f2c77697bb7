"""Admin of partner organisations and program partners."""

from __future__ import annotations

from django.contrib import admin

from training_portal.core.admin import read_only_rows_inline, rows_inline

from .. import models as m


@admin.register(m.Organization)
class OrganizationAdmin(admin.ModelAdmin[m.Organization]):
    list_display = ("name", "short_name", "kind", "status", "city")
    list_filter = ("kind", "status")
    search_fields = ("name", "short_name", "city")
    readonly_fields = ("status",)
    inlines = [
        read_only_rows_inline(
            m.OrganizationStatusChange,
            readonly_fields=("from_status", "to_status", "reason", "changed_by", "changed_at"),
        )
    ]


@admin.register(m.ProgramPartner)
class ProgramPartnerAdmin(admin.ModelAdmin[m.ProgramPartner]):
    list_display = (
        "program",
        "organization",
        "agreement_start",
        "agreement_end",
        "places_offered",
        "is_active",
    )
    list_filter = ("is_active", "organization__kind")
    list_select_related = ("program", "organization")
    inlines = [rows_inline(m.PartnerResponsibility)]
