"""Admin of projects."""

from __future__ import annotations

from django.contrib import admin

from .. import models as m


class MemberInline(admin.TabularInline[m.ProjectMember, m.Project]):
    model = m.ProjectMember
    extra = 0
    autocomplete_fields = ("user",)


class OutputInline(admin.TabularInline[m.ProjectOutput, m.Project]):
    model = m.ProjectOutput
    extra = 0


@admin.register(m.Project)
class ProjectAdmin(admin.ModelAdmin[m.Project]):
    list_display = ("title", "kind", "size", "status", "lead_organization", "program")
    list_filter = ("kind", "size", "status")
    search_fields = ("title",)
    list_select_related = ("lead_organization", "program")
    filter_horizontal = ("partner_organizations",)
    inlines = [MemberInline, OutputInline]
