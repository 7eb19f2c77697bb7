"""Admin of projects."""

from __future__ import annotations

from django.contrib import admin

from training_portal.core.admin import rows_inline

from .. import models as m


@admin.register(m.Project)
class ProjectAdmin(admin.ModelAdmin[m.Project]):
    list_display = ("title", "kind", "size", "status", "lead_organization", "program")
    list_filter = ("kind", "size", "status")
    search_fields = ("title",)
    list_select_related = ("lead_organization", "program")
    filter_horizontal = ("partner_organizations",)
    inlines = [
        rows_inline(m.ProjectMember, autocomplete_fields=("user",)),
        rows_inline(m.ProjectOutput),
    ]
