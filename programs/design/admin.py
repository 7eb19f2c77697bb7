"""Admin of programs, their elements and courses."""

from __future__ import annotations

from django.contrib import admin

from training_portal.core.admin import rows_inline

from .. import models as m


@admin.register(m.Program)
class ProgramAdmin(admin.ModelAdmin[m.Program]):
    list_display = ("code", "title", "degree_type", "lead_university", "status", "start_date")
    list_filter = ("status", "degree_type")
    search_fields = ("code", "title")
    list_select_related = ("lead_university",)
    inlines = [
        rows_inline(m.TrainingObjective),
        rows_inline(m.Stage),
        rows_inline(m.MilestoneTemplate),
        rows_inline(m.ProgramCourse, autocomplete_fields=("course",)),
    ]


@admin.register(m.Course)
class CourseAdmin(admin.ModelAdmin[m.Course]):
    list_display = (
        "code",
        "title",
        "credits",
        "category",
        "integrates_ie",
        "delivering_organization",
    )
    list_filter = ("category", "integrates_ie")
    search_fields = ("code", "title")
    filter_horizontal = ("teachers",)
