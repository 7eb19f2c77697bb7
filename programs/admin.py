"""Django admin for the programs domain: for portal administrators' corrections and lookups.

Everyday work happens in the portal's pages; the admin shows everything with history links.
"""

from __future__ import annotations

from django.contrib import admin

from . import models as m


class ReadOnlyAppendOnlyAdmin(admin.ModelAdmin):
    """Append-only records (status changes, transitions, corrections) are not edited here."""

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False


class StatusChangeInline(admin.TabularInline[m.OrganizationStatusChange, m.Organization]):
    model = m.OrganizationStatusChange
    extra = 0
    can_delete = False
    readonly_fields = ("from_status", "to_status", "reason", "changed_by", "changed_at")

    def has_add_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(m.Organization)
class OrganizationAdmin(admin.ModelAdmin[m.Organization]):
    list_display = ("name", "short_name", "kind", "status", "city")
    list_filter = ("kind", "status")
    search_fields = ("name", "short_name", "city")
    readonly_fields = ("status",)
    inlines = [StatusChangeInline]


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


class ResponsibilityInline(admin.TabularInline[m.PartnerResponsibility, m.ProgramPartner]):
    model = m.PartnerResponsibility
    extra = 0


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
    inlines = [ResponsibilityInline]


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


class StudentStatusChangeInline(admin.TabularInline[m.StudentStatusChange, m.Student]):
    """Read only: status changes are made on the portal's pages or through the API."""

    model = m.StudentStatusChange
    fk_name = "student"
    extra = 0
    can_delete = False
    fields = readonly_fields = (
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

    def has_add_permission(self, request: object, obj: object = None) -> bool:
        return False


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


class TransitionInline(admin.TabularInline[m.PlanTransition, m.TrainingPlan]):
    model = m.PlanTransition
    extra = 0
    can_delete = False
    readonly_fields = ("from_status", "to_status", "by", "at", "comment")

    def has_add_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(m.TrainingPlan)
class TrainingPlanAdmin(admin.ModelAdmin[m.TrainingPlan]):
    list_display = ("student", "version", "status", "career_goal", "updated_at")
    list_filter = ("status", "career_goal")
    search_fields = ("student__student_number", "student__user__full_name")
    list_select_related = ("student__user",)
    readonly_fields = ("status",)
    inlines = [TransitionInline]


@admin.register(m.Milestone)
class MilestoneAdmin(admin.ModelAdmin[m.Milestone]):
    list_display = ("title", "student", "due_date", "completed_on", "signed_off_by")
    list_filter = ("kind",)
    search_fields = ("title", "student__student_number")
    list_select_related = ("student__user", "signed_off_by")


@admin.register(m.Placement)
class PlacementAdmin(admin.ModelAdmin[m.Placement]):
    list_display = (
        "student",
        "host",
        "practice_tutor",
        "start_date",
        "end_date",
        "status",
        "confirmed_at",
    )
    list_filter = ("status", "host")
    list_select_related = ("student__user", "host", "practice_tutor__user")


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


class CorrectionInline(admin.TabularInline[m.ProgressLogCorrection, m.ProgressLog]):
    model = m.ProgressLogCorrection
    extra = 0
    can_delete = False
    readonly_fields = ("author", "text", "created_at")

    def has_add_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(m.ProgressLog)
class ProgressLogAdmin(admin.ModelAdmin[m.ProgressLog]):
    list_display = ("student", "author", "date", "kind", "minutes", "shared", "acknowledged_at")
    list_filter = ("kind", "shared")
    search_fields = ("student__student_number", "summary")
    list_select_related = ("student__user", "author")
    inlines = [CorrectionInline]


@admin.register(m.CaseLog)
class CaseLogAdmin(admin.ModelAdmin[m.CaseLog]):
    list_display = ("student", "date", "modality", "procedure", "count", "role", "verified_by")
    list_filter = ("modality", "role")
    list_select_related = ("student__user", "verified_by")


class ExpenditureInline(admin.TabularInline[m.Expenditure, m.BudgetLine]):
    model = m.Expenditure
    extra = 0
    fields = ("spent_on", "amount", "payee", "status", "submitted_by", "approved_by")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(m.BudgetLine)
class BudgetLineAdmin(admin.ModelAdmin[m.BudgetLine]):
    list_display = ("title", "program", "holder", "category", "amount", "start_date", "end_date")
    list_filter = ("category", "program")
    list_select_related = ("program", "holder")
    inlines = [ExpenditureInline]


@admin.register(m.Expenditure)
class ExpenditureAdmin(admin.ModelAdmin[m.Expenditure]):
    """Decisions go through the portal (nobody approves their own); here they are read-only."""

    list_display = ("spent_on", "line", "payee", "amount", "status", "submitted_by", "approved_by")
    list_filter = ("status", "category")
    search_fields = ("payee", "description")
    list_select_related = ("line", "submitted_by", "approved_by")
    readonly_fields = ("status", "approved_by", "decided_at", "override_reason", "rejection_reason")


@admin.register(m.SignOffToken)
class SignOffTokenAdmin(ReadOnlyAppendOnlyAdmin):
    list_display = ("target_type", "target_id", "tutor", "created_at", "expires_at", "used_at")
    readonly_fields = (
        "token_hash",
        "tutor",
        "target_type",
        "target_id",
        "created_by",
        "created_at",
        "expires_at",
        "used_at",
    )


@admin.register(m.OrganizationStatusChange)
class OrganizationStatusChangeAdmin(ReadOnlyAppendOnlyAdmin):
    list_display = ("organization", "from_status", "to_status", "changed_by", "changed_at")
    list_select_related = ("organization", "changed_by")


@admin.register(m.ProgramStatusChange)
class ProgramStatusChangeAdmin(ReadOnlyAppendOnlyAdmin):
    list_display = ("program", "from_status", "to_status", "changed_by", "changed_at")
    list_select_related = ("program", "changed_by")
