"""Serializers of the programs API: flat, with ids and display labels."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from rest_framework import serializers

from accounts.models import RoleMembership
from training_portal.core.files import download_url

from .. import models as m
from ..partners import permissions


class DownloadUrlsMixin:
    """Absolute links to the download views of the record's files (null without a file)."""

    context: dict[str, Any]

    def _download(self, viewname: str, pk: int, present: Any) -> str | None:
        return download_url(viewname, pk, request=self.context.get("request"), present=present)


class OrganizationSerializer(serializers.ModelSerializer[m.Organization]):
    class Meta:
        model = m.Organization
        fields = ["id", "name", "short_name", "kind", "status", "city", "website", "description"]
        read_only_fields = ["status"]


class ResponsibilityField(serializers.ListField):
    child = serializers.ChoiceField(choices=m.PartnerResponsibility.Kind.choices)


class ProgramPartnerSerializer(DownloadUrlsMixin, serializers.ModelSerializer[m.ProgramPartner]):
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    responsibilities = serializers.SerializerMethodField()
    agreement_file_url = serializers.SerializerMethodField(
        help_text="The signed agreement, for those who may open it (else null)."
    )

    class Meta:
        model = m.ProgramPartner
        fields = [
            "id",
            "program",
            "organization",
            "organization_name",
            "agreement_start",
            "agreement_end",
            "places_offered",
            "is_active",
            "responsibilities",
            "agreement_file_url",
        ]

    def get_agreement_file_url(self, partner: m.ProgramPartner) -> str | None:
        request = self.context.get("request")
        user = getattr(request, "user", None)
        present = partner.agreement_file and permissions.can_open_agreement(user, partner)
        return self._download("api:program-partner-agreement-file", partner.pk, present)

    def get_responsibilities(self, partner: m.ProgramPartner) -> list[str]:
        return [r.responsibility for r in partner.responsibilities.all()]


class ObjectiveSerializer(serializers.ModelSerializer[m.TrainingObjective]):
    class Meta:
        model = m.TrainingObjective
        fields = ["id", "order", "title", "description", "retired_at"]


class StageSerializer(serializers.ModelSerializer[m.Stage]):
    class Meta:
        model = m.Stage
        fields = ["id", "order", "kind", "title", "expected_months", "retired_at"]


class MilestoneTemplateSerializer(serializers.ModelSerializer[m.MilestoneTemplate]):
    class Meta:
        model = m.MilestoneTemplate
        fields = ["id", "stage", "kind", "title", "due_offset_days", "retired_at"]


class CurriculumSerializer(serializers.ModelSerializer[m.ProgramCourse]):
    code = serializers.CharField(source="course.code", read_only=True)
    title = serializers.CharField(source="course.title", read_only=True)

    class Meta:
        model = m.ProgramCourse
        fields = ["id", "course", "code", "title", "requirement", "semester", "retired_at"]


class ProgramObjectiveSerializer(ObjectiveSerializer):
    class Meta(ObjectiveSerializer.Meta):
        fields = ["program", *ObjectiveSerializer.Meta.fields]


class ProgramStageSerializer(StageSerializer):
    class Meta(StageSerializer.Meta):
        fields = ["program", *StageSerializer.Meta.fields]


class ProgramMilestoneTemplateSerializer(MilestoneTemplateSerializer):
    class Meta(MilestoneTemplateSerializer.Meta):
        fields = ["program", *MilestoneTemplateSerializer.Meta.fields]


class ProgramCurriculumSerializer(CurriculumSerializer):
    class Meta(CurriculumSerializer.Meta):
        fields = ["program", *CurriculumSerializer.Meta.fields]


class ProgramSerializer(serializers.ModelSerializer[m.Program]):
    lead_university_name = serializers.CharField(source="lead_university.name", read_only=True)

    class Meta:
        model = m.Program
        fields = [
            "id",
            "code",
            "title",
            "discipline",
            "degree_type",
            "lead_university",
            "lead_university_name",
            "start_date",
            "end_date",
            "status",
            "description",
            "quality_criteria",
            "min_contacts_academic",
            "min_contacts_practice",
        ]


class ProgramDetailSerializer(ProgramSerializer):
    objectives = ObjectiveSerializer(many=True, read_only=True)
    stages = StageSerializer(many=True, read_only=True)
    milestone_templates = MilestoneTemplateSerializer(many=True, read_only=True)
    curriculum = CurriculumSerializer(many=True, read_only=True)

    class Meta(ProgramSerializer.Meta):
        fields = [
            *ProgramSerializer.Meta.fields,
            "objectives",
            "stages",
            "milestone_templates",
            "curriculum",
        ]


class CourseSerializer(serializers.ModelSerializer[m.Course]):
    delivering_organization_name = serializers.CharField(
        source="delivering_organization.name", read_only=True
    )

    class Meta:
        model = m.Course
        fields = [
            "id",
            "code",
            "title",
            "credits",
            "category",
            "integrates_ie",
            "delivering_organization",
            "delivering_organization_name",
            "description",
        ]


class TutorSerializer(serializers.ModelSerializer[m.TutorProfile]):
    email = serializers.EmailField(source="user.email", read_only=True)
    name = serializers.CharField(source="user.full_name", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    active_students = serializers.IntegerField(read_only=True)

    class Meta:
        model = m.TutorProfile
        fields = [
            "id",
            "user",
            "email",
            "name",
            "kind",
            "organization",
            "organization_name",
            "professional_title",
            "specialty",
            "qualifications",
            "practice_experience",
            "capacity",
            "active_students",
            "is_active",
        ]


class AssignmentSerializer(serializers.ModelSerializer[m.TutorAssignment]):
    tutor_name = serializers.CharField(source="tutor.user.full_name", read_only=True)

    class Meta:
        model = m.TutorAssignment
        fields = ["id", "tutor", "tutor_name", "role", "started_on", "ended_on"]


class StudentSerializer(serializers.ModelSerializer[m.Student]):
    email = serializers.EmailField(source="user.email", read_only=True)
    name = serializers.CharField(source="user.full_name", read_only=True)
    program_code = serializers.CharField(source="program.code", read_only=True)
    tutors = serializers.SerializerMethodField()

    class Meta:
        model = m.Student
        fields = [
            "id",
            "user",
            "email",
            "name",
            "program",
            "program_code",
            "student_number",
            "cohort",
            "enrolled_on",
            "status",
            "status_since",
            "expected_end_on",
            "tutors",
        ]

    def get_tutors(self, student: m.Student) -> list[dict[str, Any]]:
        return AssignmentSerializer(getattr(student, "current_assignments", []), many=True).data  # type: ignore[return-value]


class PlanTransitionSerializer(serializers.ModelSerializer[m.PlanTransition]):
    by = serializers.EmailField(source="by.email", read_only=True)

    class Meta:
        model = m.PlanTransition
        fields = ["from_status", "to_status", "by", "at", "comment"]


class CaseTargetSerializer(serializers.ModelSerializer[m.PlanCaseTarget]):
    class Meta:
        model = m.PlanCaseTarget
        fields = ["modality", "target"]


class TrainingPlanSerializer(serializers.ModelSerializer[m.TrainingPlan]):
    transitions = PlanTransitionSerializer(many=True, read_only=True)
    case_targets = CaseTargetSerializer(many=True, read_only=True)
    courses: Any = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = m.TrainingPlan
        fields = [
            "id",
            "student",
            "version",
            "status",
            "career_goal",
            "personal_objectives",
            "planned_placements",
            "planned_projects",
            "courses",
            "case_targets",
            "transitions",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["student", "version", "status", "created_at", "updated_at"]


class MilestoneSerializer(DownloadUrlsMixin, serializers.ModelSerializer[m.Milestone]):
    signed_off_by = serializers.EmailField(
        source="signed_off_by.email", read_only=True, default=None
    )
    evidence_file_url = serializers.SerializerMethodField()

    class Meta:
        model = m.Milestone
        fields = [
            "id",
            "student",
            "template",
            "kind",
            "title",
            "due_date",
            "completed_on",
            "evidence",
            "evidence_file_url",
            "signed_off_by",
            "signed_off_at",
        ]
        read_only_fields = fields

    def get_evidence_file_url(self, milestone: m.Milestone) -> str | None:
        return self._download("api:milestone-evidence-file", milestone.pk, milestone.evidence_file)


class PlacementSerializer(serializers.ModelSerializer[m.Placement]):
    host_name = serializers.CharField(source="host.name", read_only=True)
    confirmed_by = serializers.EmailField(source="confirmed_by.email", read_only=True, default=None)
    completed_by = serializers.EmailField(source="completed_by.email", read_only=True, default=None)
    cancelled_by = serializers.EmailField(source="cancelled_by.email", read_only=True, default=None)
    #: Places the host offers the student's program (null: not a partner) and those taken by
    #: planned and active placements overlapping this one's period (this one included).
    places_offered = serializers.IntegerField(read_only=True, allow_null=True)
    places_used = serializers.IntegerField(read_only=True)

    class Meta:
        model = m.Placement
        fields = [
            "id",
            "student",
            "host",
            "host_name",
            "practice_tutor",
            "start_date",
            "end_date",
            "objectives",
            "status",
            "confirmed_by",
            "confirmed_at",
            "capacity_override_reason",
            "places_offered",
            "places_used",
            "rating",
            "host_evaluation",
            "completed_by",
            "completed_at",
            "cancel_reason",
            "cancelled_by",
            "cancelled_at",
        ]
        read_only_fields = fields


class ProjectMemberSerializer(serializers.ModelSerializer[m.ProjectMember]):
    email = serializers.EmailField(source="user.email", read_only=True)

    class Meta:
        model = m.ProjectMember
        fields = ["user", "email", "role"]


class ProjectOutputSerializer(serializers.ModelSerializer[m.ProjectOutput]):
    class Meta:
        model = m.ProjectOutput
        fields = ["kind", "title", "reference", "produced_on"]


class ProjectSerializer(serializers.ModelSerializer[m.Project]):
    members = ProjectMemberSerializer(many=True, read_only=True)
    outputs = ProjectOutputSerializer(many=True, read_only=True)
    partner_organizations: Any = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    proposed_by = serializers.EmailField(source="proposed_by.email", read_only=True, default=None)
    completion_requested_by = serializers.EmailField(
        source="completion_requested_by.email", read_only=True, default=None
    )
    completion_confirmed_by = serializers.EmailField(
        source="completion_confirmed_by.email", read_only=True, default=None
    )

    class Meta:
        model = m.Project
        fields = [
            "id",
            "program",
            "title",
            "kind",
            "size",
            "lead_organization",
            "partner_organizations",
            "status",
            "start_date",
            "end_date",
            "description",
            "members",
            "outputs",
            "proposed_by",
            "refusal_reason",
            "completion_requested_by",
            "completion_requested_at",
            "completion_confirmed_by",
            "completion_confirmed_at",
        ]


class ProgressLogSerializer(serializers.ModelSerializer[m.ProgressLog]):
    author = serializers.EmailField(source="author.email", read_only=True)

    class Meta:
        model = m.ProgressLog
        fields = [
            "id",
            "student",
            "author",
            "date",
            "kind",
            "minutes",
            "summary",
            "shared",
            "milestone",
            "project",
            "placement",
            "created_at",
            "acknowledged_at",
            "student_comment",
            "confirmed_at",
        ]
        read_only_fields = [
            "author",
            "created_at",
            "acknowledged_at",
            "student_comment",
            "confirmed_at",
        ]


class CaseLogSerializer(serializers.ModelSerializer[m.CaseLog]):
    #: pending (for the tutor), queried (waiting for the student), rejected or verified.
    review_state = serializers.CharField(read_only=True)

    class Meta:
        model = m.CaseLog
        fields = [
            "id",
            "student",
            "date",
            "modality",
            "procedure",
            "count",
            "role",
            "placement",
            "progress_log",
            "verified_at",
            "review_state",
            "query",
            "queried_at",
            "answer",
            "rejection_reason",
            "rejected_at",
        ]
        read_only_fields = [
            "verified_at",
            "progress_log",
            "query",
            "queried_at",
            "answer",
            "rejection_reason",
            "rejected_at",
        ]


class BudgetLineSerializer(serializers.ModelSerializer[m.BudgetLine]):
    holder_name = serializers.CharField(source="holder.name", read_only=True)
    approved_total = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    pending_total = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)

    class Meta:
        model = m.BudgetLine
        fields = [
            "id",
            "program",
            "holder",
            "holder_name",
            "category",
            "title",
            "amount",
            "start_date",
            "end_date",
            "approver",
            "approved_total",
            "pending_total",
        ]


class ExpenditureSerializer(DownloadUrlsMixin, serializers.ModelSerializer[m.Expenditure]):
    submitted_by = serializers.EmailField(source="submitted_by.email", read_only=True)
    approved_by = serializers.EmailField(source="approved_by.email", read_only=True, default=None)
    receipt_url = serializers.SerializerMethodField()

    class Meta:
        model = m.Expenditure
        fields = [
            "id",
            "line",
            "amount",
            "spent_on",
            "category",
            "payee",
            "description",
            "submitted_by",
            "submitted_at",
            "status",
            "approved_by",
            "decided_at",
            "override_reason",
            "rejection_reason",
            "receipt_url",
        ]
        read_only_fields = [
            "submitted_by",
            "submitted_at",
            "status",
            "approved_by",
            "decided_at",
            "override_reason",
            "rejection_reason",
        ]

    def get_receipt_url(self, expenditure: m.Expenditure) -> str | None:
        return self._download("api:expenditure-receipt", expenditure.pk, expenditure.receipt)


class CounsellorPostingSerializer(serializers.ModelSerializer[RoleMembership]):
    """A counsellor posted at an organisation (its mental-health service), current or ended."""

    organization = serializers.IntegerField(source="scope_id", read_only=True)
    organization_name = serializers.CharField(read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)
    name = serializers.CharField(source="user.full_name", read_only=True)
    is_current = serializers.SerializerMethodField(
        help_text="Whether the posting is in force today."
    )

    class Meta:
        model = RoleMembership
        fields = [
            "id",
            "organization",
            "organization_name",
            "user",
            "email",
            "name",
            "valid_from",
            "valid_until",
            "is_current",
        ]
        read_only_fields = ["user", "valid_from", "valid_until"]

    def get_is_current(self, membership: RoleMembership) -> bool:
        today = timezone.localdate()
        starts, ends = membership.valid_from, membership.valid_until
        return (starts is None or starts <= today) and (ends is None or ends >= today)
