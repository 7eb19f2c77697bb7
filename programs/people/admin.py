"""Admin of tutors and students."""

from __future__ import annotations

from django.contrib import admin

from training_portal.core.admin import ReadOnlyInline

from .. import models as m


@admin.register(m.TutorProfile)
class TutorProfileAdmin(admin.ModelAdmin[m.TutorProfile]):
    list_display = ("user", "kind", "organization", "specialty", "capacity", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("user__email", "user__full_name", "specialty")
    list_select_related = ("user", "organization")
    autocomplete_fields = ("user",)


class AssignmentInline(admin.TabularInline[m.TutorAssignment, m.Student]):
    model = m.TutorAssignment
    extra = 0
    autocomplete_fields = ("tutor",)
    readonly_fields = ("assigned_by",)


class StudentStatusChangeInline(ReadOnlyInline):
    """Read only: status changes are made on the portal's pages or through the API."""

    model = m.StudentStatusChange
    fk_name = "student"
    fields = (
        "kind",
        "decision",
        "from_status",
        "to_status",
        "starts_on",
        "ends_on",
        "reason",
        "requested_by",
        "decided_by",
        "decided_at",
    )


@admin.register(m.Student)
class StudentAdmin(admin.ModelAdmin[m.Student]):
    list_display = ("student_number", "user", "program", "cohort", "status", "enrolled_on")
    list_filter = ("status", "cohort", "program")
    search_fields = ("student_number", "user__email", "user__full_name")
    list_select_related = ("user", "program")
    autocomplete_fields = ("user",)
    # The status follows its lifecycle (programs.people.services.student_status), not a field edit.
    readonly_fields = ("status", "status_since", "expected_end_on")
    inlines = [AssignmentInline, StudentStatusChangeInline]
