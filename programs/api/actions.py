"""Input serializers of the programs API's writes; the work is done by the services."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.models import User

from .. import models as m


class CommentSerializer(serializers.Serializer[Any]):
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class ReasonSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField()


class CounsellorPostingInputSerializer(serializers.Serializer[Any]):
    organization = serializers.PrimaryKeyRelatedField(queryset=m.Organization.objects.all())
    email = serializers.EmailField(
        help_text=_("The e-mail address of the person's account (it must exist).")
    )


class CounsellorPostingCorrectionSerializer(serializers.Serializer[Any]):
    """The posting's first and last day; null leaves that end open. Only the fields sent
    change."""

    valid_from = serializers.DateField(allow_null=True, required=False)
    valid_until = serializers.DateField(allow_null=True, required=False)


class OverrideSerializer(serializers.Serializer[Any]):
    override_reason = serializers.CharField(required=False, allow_blank=True, default="")


class CorrectionSerializer(serializers.Serializer[Any]):
    text = serializers.CharField()


class SignOffRequestSerializer(serializers.Serializer[Any]):
    tutor = serializers.PrimaryKeyRelatedField(queryset=m.TutorProfile.objects.all())


class MilestoneSignOffSerializer(serializers.Serializer[Any]):
    completed_on = serializers.DateField()
    evidence = serializers.CharField(required=False, allow_blank=True, default="")


class PlanInputSerializer(serializers.Serializer[Any]):
    student = serializers.PrimaryKeyRelatedField(queryset=m.Student.objects.all())
    career_goal = serializers.ChoiceField(choices=m.TrainingPlan.CareerGoal.choices)
    personal_objectives = serializers.CharField()
    planned_placements = serializers.CharField(required=False, allow_blank=True, default="")
    planned_projects = serializers.CharField(required=False, allow_blank=True, default="")
    courses = serializers.PrimaryKeyRelatedField(
        queryset=m.Course.objects.all(), many=True, required=False, default=list
    )
    case_targets = serializers.DictField(
        child=serializers.IntegerField(min_value=0, max_value=100000), required=False, default=dict
    )

    def validate_case_targets(self, value: dict[str, int]) -> dict[str, int]:
        unknown = set(value) - set(m.CaseLog.Modality.values)
        if unknown:
            raise serializers.ValidationError(
                serializers.ChoiceField(choices=[])
                .error_messages["invalid_choice"]
                .format(input=sorted(unknown)[0])
            )
        return value


class CaseEntrySerializer(serializers.Serializer[Any]):
    modality = serializers.ChoiceField(choices=m.CaseLog.Modality.choices)
    procedure = serializers.CharField(max_length=200)
    count = serializers.IntegerField(min_value=1, max_value=1000)
    role = serializers.ChoiceField(choices=m.CaseLog.Role.choices)


class ProgressLogInputSerializer(serializers.Serializer[Any]):
    student = serializers.PrimaryKeyRelatedField(queryset=m.Student.objects.all())
    date = serializers.DateField()
    kind = serializers.ChoiceField(choices=m.ProgressLog.Kind.choices)
    minutes = serializers.IntegerField(min_value=1, max_value=1440)
    summary = serializers.CharField()
    shared = serializers.BooleanField(default=True)
    placement = serializers.PrimaryKeyRelatedField(
        queryset=m.Placement.objects.all(), required=False, allow_null=True, default=None
    )
    cases = CaseEntrySerializer(many=True, required=False, default=list)


class CaseLogInputSerializer(serializers.Serializer[Any]):
    student = serializers.PrimaryKeyRelatedField(queryset=m.Student.objects.all())
    date = serializers.DateField()
    modality = serializers.ChoiceField(choices=m.CaseLog.Modality.choices)
    procedure = serializers.CharField(max_length=200)
    count = serializers.IntegerField(min_value=1, max_value=1000)
    role = serializers.ChoiceField(choices=m.CaseLog.Role.choices)
    placement = serializers.PrimaryKeyRelatedField(
        queryset=m.Placement.objects.all(), required=False, allow_null=True, default=None
    )


class ExpenditureInputSerializer(serializers.Serializer[Any]):
    line = serializers.PrimaryKeyRelatedField(queryset=m.BudgetLine.objects.all())
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    spent_on = serializers.DateField()
    category = serializers.ChoiceField(choices=m.BudgetLine.Category.choices)
    payee = serializers.CharField(max_length=200)
    description = serializers.CharField()
    receipt = serializers.FileField(required=False, allow_null=True, default=None)


# ---- Partners, programs, people, placements and budget lines --------------------------------


class OrganizationInputSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=200)
    short_name = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    kind = serializers.ChoiceField(choices=m.Organization.Kind.choices)
    city = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    website = serializers.URLField(required=False, allow_blank=True, default="")
    description = serializers.CharField(required=False, allow_blank=True, default="")


class OrganizationStatusInputSerializer(serializers.Serializer[Any]):
    to_status = serializers.ChoiceField(choices=m.Organization.Status.choices)
    reason = serializers.CharField()


class OrganizationUpdateSerializer(serializers.Serializer[Any]):
    """The facts to correct; those left out stay as they are (the status has its own action)."""

    name = serializers.CharField(max_length=200, required=False)
    short_name = serializers.CharField(max_length=60, required=False, allow_blank=True)
    kind = serializers.ChoiceField(choices=m.Organization.Kind.choices, required=False)
    city = serializers.CharField(max_length=100, required=False, allow_blank=True)
    website = serializers.URLField(required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)


class AgreementRenewalInputSerializer(serializers.Serializer[Any]):
    agreement_end = serializers.DateField()
    agreement_file = serializers.FileField(required=False, allow_null=True, default=None)


class ProgramInputSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(max_length=32)
    title = serializers.CharField(max_length=200)
    discipline = serializers.CharField(max_length=120)
    degree_type = serializers.ChoiceField(choices=m.Program.DegreeType.choices)
    lead_university = serializers.PrimaryKeyRelatedField(queryset=m.Organization.objects.all())
    start_date = serializers.DateField()
    end_date = serializers.DateField(required=False, allow_null=True, default=None)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    quality_criteria = serializers.CharField(required=False, allow_blank=True, default="")


class ResponsibilitiesInputSerializer(serializers.Serializer[Any]):
    # Plain strings: the service names each value outside the catalogue in its error.
    responsibilities = serializers.ListField(child=serializers.CharField(max_length=40))


class PartnerInputSerializer(ResponsibilitiesInputSerializer):
    program = serializers.PrimaryKeyRelatedField(queryset=m.Program.objects.all())
    organization = serializers.PrimaryKeyRelatedField(queryset=m.Organization.objects.all())
    agreement_start = serializers.DateField()
    agreement_end = serializers.DateField(required=False, allow_null=True, default=None)
    places_offered = serializers.IntegerField(min_value=0, required=False, default=0)
    responsibilities = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, default=list
    )
    agreement_file = serializers.FileField(required=False, allow_null=True, default=None)


class AccountEmailMixin(serializers.Serializer[Any]):
    """`email` names an existing account (any case); it validates to that `User`."""

    email = serializers.EmailField()

    def validate_email(self, value: str) -> User:
        account = User.objects.filter(email__iexact=value.strip()).first()
        if account is None:
            raise serializers.ValidationError(_("No account with this e-mail address."))
        return account


class TutorInputSerializer(AccountEmailMixin):
    kind = serializers.ChoiceField(choices=m.TutorProfile.Kind.choices)
    organization = serializers.PrimaryKeyRelatedField(queryset=m.Organization.objects.all())
    capacity = serializers.IntegerField(min_value=0, max_value=1000)
    professional_title = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default=""
    )
    specialty = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    qualifications = serializers.CharField(required=False, allow_blank=True, default="")
    practice_experience = serializers.CharField(required=False, allow_blank=True, default="")


class StudentInputSerializer(AccountEmailMixin):
    program = serializers.PrimaryKeyRelatedField(queryset=m.Program.objects.all())
    student_number = serializers.CharField(max_length=32)
    cohort = serializers.IntegerField(min_value=0, max_value=32767)
    enrolled_on = serializers.DateField()


class AssignTutorInputSerializer(serializers.Serializer[Any]):
    tutor = serializers.PrimaryKeyRelatedField(queryset=m.TutorProfile.objects.all())
    role = serializers.ChoiceField(choices=m.TutorProfile.Kind.choices)
    over_capacity_reason = serializers.CharField(required=False, allow_blank=True, default="")
    replace = serializers.BooleanField(required=False, default=False)


class PlacementInputSerializer(serializers.Serializer[Any]):
    student = serializers.PrimaryKeyRelatedField(queryset=m.Student.objects.all())
    host = serializers.PrimaryKeyRelatedField(queryset=m.Organization.objects.all())
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    objectives = serializers.CharField()
    practice_tutor = serializers.PrimaryKeyRelatedField(
        queryset=m.TutorProfile.objects.all(), required=False, allow_null=True, default=None
    )
    capacity_override_reason = serializers.CharField(required=False, allow_blank=True, default="")


class PlacementEditSerializer(serializers.Serializer[Any]):
    """A planned placement's dates, practice tutor and objectives (the host stays)."""

    start_date = serializers.DateField()
    end_date = serializers.DateField()
    objectives = serializers.CharField()
    practice_tutor = serializers.PrimaryKeyRelatedField(
        queryset=m.TutorProfile.objects.all(), required=False, allow_null=True, default=None
    )
    capacity_override_reason = serializers.CharField(required=False, allow_blank=True, default="")


class PlacementStartSerializer(serializers.Serializer[Any]):
    capacity_override_reason = serializers.CharField(required=False, allow_blank=True, default="")


class CaseQuestionSerializer(serializers.Serializer[Any]):
    question = serializers.CharField()


class CaseAnswerSerializer(serializers.Serializer[Any]):
    """The student's answer, and the corrections they make (only the fields given change)."""

    answer = serializers.CharField(required=False, allow_blank=True, default="")
    date = serializers.DateField(required=False)
    modality = serializers.ChoiceField(choices=m.CaseLog.Modality.choices, required=False)
    procedure = serializers.CharField(max_length=200, required=False)
    count = serializers.IntegerField(required=False)
    role = serializers.ChoiceField(choices=m.CaseLog.Role.choices, required=False)


class PlacementCompleteSerializer(serializers.Serializer[Any]):
    rating = serializers.IntegerField(min_value=1, max_value=5)
    evaluation = serializers.CharField()


class BudgetLineInputSerializer(serializers.Serializer[Any]):
    program = serializers.PrimaryKeyRelatedField(queryset=m.Program.objects.all())
    holder = serializers.PrimaryKeyRelatedField(queryset=m.Organization.objects.all())
    category = serializers.ChoiceField(choices=m.BudgetLine.Category.choices)
    title = serializers.CharField(max_length=200)
    # Any sign: the service answers a zero or negative amount with its own field error.
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    approver = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), required=False, allow_null=True, default=None
    )


# ---- Projects -------------------------------------------------------------------------------


class ProjectInputSerializer(serializers.Serializer[Any]):
    program = serializers.PrimaryKeyRelatedField(queryset=m.Program.objects.all())
    title = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=m.Project.Kind.choices)
    size = serializers.ChoiceField(choices=m.Project.Size.choices)
    lead_organization = serializers.PrimaryKeyRelatedField(queryset=m.Organization.objects.all())
    partner_organizations = serializers.PrimaryKeyRelatedField(
        queryset=m.Organization.objects.all(), many=True, required=False, default=list
    )
    start_date = serializers.DateField(required=False, allow_null=True, default=None)
    end_date = serializers.DateField(required=False, allow_null=True, default=None)
    description = serializers.CharField(required=False, allow_blank=True, default="")


class ProjectStatusInputSerializer(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=m.Project.Status.choices)


class ProjectMemberInputSerializer(AccountEmailMixin):
    role = serializers.ChoiceField(
        choices=m.ProjectMember.Role.choices, required=False, default=m.ProjectMember.Role.MEMBER
    )


class ProjectMemberRemoveSerializer(AccountEmailMixin):
    pass


class ProjectOutputInputSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=m.ProjectOutput.Kind.choices)
    title = serializers.CharField(max_length=300)
    reference = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    produced_on = serializers.DateField(required=False, allow_null=True, default=None)


# ---- Program elements: edit, remove (delete or retire), reinstate, reorder ---------------------


class ProgramUpdateSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(max_length=32, required=False)
    title = serializers.CharField(max_length=200, required=False)
    discipline = serializers.CharField(max_length=120, required=False)
    degree_type = serializers.ChoiceField(choices=m.Program.DegreeType.choices, required=False)
    lead_university = serializers.PrimaryKeyRelatedField(
        queryset=m.Organization.objects.all(), required=False
    )
    start_date = serializers.DateField(required=False)
    end_date = serializers.DateField(required=False, allow_null=True)
    description = serializers.CharField(required=False, allow_blank=True)
    quality_criteria = serializers.CharField(required=False, allow_blank=True)


class ProgramTransitionSerializer(serializers.Serializer[Any]):
    transition = serializers.CharField(max_length=32)
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Why the step is taken; required to reopen a closed program."),
    )
    confirm = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_(
            "Required (true) to close the program: closing stops new students, placements and "
            "projects and makes its elements read-only. Without it, closing is refused (400)."
        ),
    )


class ObjectiveInputSerializer(serializers.Serializer[Any]):
    program = serializers.PrimaryKeyRelatedField(queryset=m.Program.objects.all())
    title = serializers.CharField(max_length=200)
    description = serializers.CharField()


class StageInputSerializer(serializers.Serializer[Any]):
    program = serializers.PrimaryKeyRelatedField(queryset=m.Program.objects.all())
    kind = serializers.ChoiceField(choices=m.Stage.Kind.choices)
    title = serializers.CharField(max_length=200)
    expected_months = serializers.IntegerField(min_value=1, max_value=60)


class MilestoneTemplateInputSerializer(serializers.Serializer[Any]):
    program = serializers.PrimaryKeyRelatedField(queryset=m.Program.objects.all())
    kind = serializers.ChoiceField(choices=m.MilestoneTemplate.Kind.choices)
    title = serializers.CharField(max_length=200)
    due_offset_days = serializers.IntegerField(min_value=0, max_value=3650)
    stage = serializers.PrimaryKeyRelatedField(
        queryset=m.Stage.objects.all(), required=False, allow_null=True, default=None
    )


class CourseInputSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(max_length=32)
    title = serializers.CharField(max_length=200)
    credits = serializers.DecimalField(max_digits=4, decimal_places=1)
    category = serializers.ChoiceField(choices=m.Course.Category.choices)
    integrates_ie = serializers.BooleanField(required=False, default=False)
    delivering_organization = serializers.PrimaryKeyRelatedField(
        queryset=m.Organization.objects.all()
    )
    description = serializers.CharField(required=False, allow_blank=True, default="")


class CurriculumInputSerializer(serializers.Serializer[Any]):
    """An existing `course`, or a `new_course` described here, attached to the curriculum."""

    program = serializers.PrimaryKeyRelatedField(queryset=m.Program.objects.all())
    course = serializers.PrimaryKeyRelatedField(
        queryset=m.Course.objects.all(), required=False, allow_null=True, default=None
    )
    new_course = CourseInputSerializer(required=False, allow_null=True, default=None)
    requirement = serializers.ChoiceField(choices=m.ProgramCourse.Requirement.choices)
    semester = serializers.IntegerField(min_value=1, max_value=12)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        course, new_course = attrs.get("course"), attrs.get("new_course")
        if course is not None and new_course is not None:
            raise serializers.ValidationError(
                {"course": [_("Choose an existing course or describe a new one, not both.")]}
            )
        if course is None and new_course is None:
            raise serializers.ValidationError(
                {"course": [_("Choose a course, or describe a new one.")]}
            )
        return attrs


class CurriculumUpdateSerializer(serializers.Serializer[Any]):
    requirement = serializers.ChoiceField(
        choices=m.ProgramCourse.Requirement.choices, required=False
    )
    semester = serializers.IntegerField(min_value=1, max_value=12, required=False)


class PartnerUpdateSerializer(serializers.Serializer[Any]):
    agreement_start = serializers.DateField(required=False)
    agreement_end = serializers.DateField(required=False, allow_null=True)
    places_offered = serializers.IntegerField(min_value=0, required=False)
    # Plain strings: the service names each value outside the catalogue in its error.
    responsibilities = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False
    )
    agreement_file = serializers.FileField(required=False)


class MoveSerializer(serializers.Serializer[Any]):
    direction = serializers.ChoiceField(choices=[("up", _("up")), ("down", _("down"))])


class RemovalSerializer(serializers.Serializer[Any]):
    """What removing an element does (or did): "delete" or "retire", and why."""

    action = serializers.ChoiceField(choices=["delete", "retire"])
    reasons = serializers.ListField(child=serializers.CharField())
