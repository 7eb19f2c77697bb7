"""Admin of programs, their elements and courses."""

from __future__ import annotations

from django.contrib import admin

from .. import models as m


class ObjectiveInline(admin.TabularInline[m.TrainingObjective, m.Program]):
    model = m.TrainingObjective
    extra = 0


class StageInline(admin.TabularInline[m.Stage, m.Program]):
    model = m.Stage
    extra = 0


class MilestoneTemplateInline(admin.TabularInline[m.MilestoneTemplate, m.Program]):
    model = m.MilestoneTemplate
    extra = 0


class CurriculumInline(admin.TabularInline[m.ProgramCourse, m.Program]):
    model = m.ProgramCourse
    extra = 0
    autocomplete_fields = ("course",)


@admin.register(m.Program)
class ProgramAdmin(admin.ModelAdmin[m.Program]):
    list_display = ("code", "title", "degree_type", "lead_university", "status", "start_date")
    list_filter = ("status", "degree_type")
    search_fields = ("code", "title")
    list_select_related = ("lead_university",)
    inlines = [ObjectiveInline, StageInline, MilestoneTemplateInline, CurriculumInline]


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
