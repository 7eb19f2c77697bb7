"""Forms of the program administrator's pages: they validate input; the services hold the rules."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from accounts.forms import AccountEmailField
from training_portal.core.files import uploaded_name
from training_portal.core.forms import BootstrapForm, text_area

from ..models import (
    Course,
    MilestoneTemplate,
    Organization,
    Program,
    ProgramCourse,
    Stage,
    Student,
    TrainingObjective,
    TutorProfile,
)
from ..models.programs import CourseCategory, ProgramPartner, Responsibility

DATE = {"type": "date"}


class OrganizationChoiceField(forms.ModelChoiceField):
    """Organisations by full name, with the short name people also use."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.short_name})" if obj.short_name else obj.name


class ProgramForm(BootstrapForm):
    checked_model = Program
    code = forms.CharField(label=_("Code"), max_length=32)
    title = forms.CharField(label=_("Title"), max_length=200)
    discipline = forms.CharField(label=_("Discipline"), max_length=120)
    degree_type = forms.ChoiceField(label=_("Degree type"), choices=Program.DegreeType.choices)
    lead_university = OrganizationChoiceField(
        label=_("Lead university"),
        queryset=Organization.objects.filter(kind=Organization.Kind.UNIVERSITY).order_by("name"),
    )
    start_date = forms.DateField(label=_("Start date"), widget=forms.DateInput(attrs=DATE))
    end_date = forms.DateField(
        label=_("End date"), required=False, widget=forms.DateInput(attrs=DATE)
    )
    description = text_area(_("Description"), rows=3)
    quality_criteria = text_area(_("Quality-assessment criteria"), rows=3)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _check_period(
            self, data, "start_date", "end_date", _("The program cannot end before it starts.")
        )
        return data


def _check_period(
    form: forms.Form, data: dict[str, Any], start: str, end: str, message: Any
) -> None:
    """The period's order, checked with the fields' own errors so that all show at once."""
    if data.get(start) and data.get(end) and data[end] < data[start]:
        form.add_error(end, message)


class TitledElementForm(BootstrapForm):
    """An element whose title is unique in its program (objective, stage): a title already
    taken is shown with the field errors, so that all show at once; the service (and the
    database) stay the authority. Without `program` only the fields are checked."""

    titled_model: type[models.Model]

    def __init__(
        self,
        *args: Any,
        program: Program | None = None,
        element: models.Model | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.program = program
        self.element = element

    def clean(self) -> dict[str, Any] | None:
        data = super().clean() or {}
        title = data.get("title")
        if self.program is not None and title:
            taken = self.titled_model._default_manager.filter(program=self.program, title=title)
            if self.element is not None:
                taken = taken.exclude(pk=self.element.pk)
            if taken.exists():
                self.add_error("title", _title_taken_message(self.titled_model))
        return data


def _title_taken_message(model: type[models.Model]) -> Any:
    """The message of the model's unique (program, title) constraint."""
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint) and set(constraint.fields) == {
            "program",
            "title",
        }:
            return constraint.violation_error_message
    raise LookupError(f"{model.__name__} has no unique title per program")


class ObjectiveForm(TitledElementForm):
    titled_model = TrainingObjective
    title = forms.CharField(label=_("Title"), max_length=200)
    description = text_area(_("Measurable description"), rows=3, required=True)


class StageForm(TitledElementForm):
    titled_model = Stage
    kind = forms.ChoiceField(label=_("Kind"), choices=Stage.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    expected_months = forms.IntegerField(label=_("Expected months"), min_value=1, max_value=60)


class MilestoneTemplateForm(BootstrapForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=MilestoneTemplate.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    due_offset_days = forms.IntegerField(
        label=_("Due (days after enrolment)"), min_value=0, max_value=10_000
    )
    stage = forms.ModelChoiceField(label=_("Stage"), queryset=Stage.objects.none(), required=False)

    def __init__(
        self, *args: Any, program: Program, current_stage: int | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        # Retired stages take no new milestones, but one already placed there keeps its stage.
        in_use = Q(retired_at__isnull=True) | Q(pk=current_stage)
        self.fields["stage"].queryset = program.stages.filter(in_use).order_by("order")  # type: ignore[attr-defined]


class CurriculumForm(BootstrapForm):
    """An existing course, or a new one described here, attached to the curriculum."""

    course = forms.ModelChoiceField(
        label=_("Existing course"),
        queryset=Course.objects.select_related("delivering_organization").order_by("code"),
        required=False,
        help_text=_("Or leave empty and describe a new course below."),
    )
    requirement = forms.ChoiceField(
        label=_("Requirement"), choices=ProgramCourse.Requirement.choices
    )
    semester = forms.IntegerField(label=_("Semester"), min_value=1, max_value=12)
    new_code = forms.CharField(label=_("New course: code"), max_length=32, required=False)
    new_title = forms.CharField(label=_("New course: title"), max_length=200, required=False)
    new_credits = forms.DecimalField(
        label=_("New course: credits"), max_digits=4, decimal_places=1, required=False
    )
    new_category = forms.ChoiceField(
        label=_("New course: category"),
        choices=[("", "---------"), *CourseCategory.choices],
        required=False,
    )
    new_integrates_ie = forms.BooleanField(
        label=_("New course: integrates innovation & entrepreneurship"), required=False
    )
    new_delivering_organization = OrganizationChoiceField(
        label=_("New course: delivering organisation"),
        queryset=Organization.objects.order_by("name"),
        required=False,
    )

    NEW_FIELDS = {
        "code": "new_code",
        "title": "new_title",
        "credits": "new_credits",
        "category": "new_category",
        "integrates_ie": "new_integrates_ie",
        "delivering_organization": "new_delivering_organization",
    }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self.new_course: Course | None = None
        if data.get("course") is not None:
            if data.get("new_code"):
                raise ValidationError(
                    _("Choose an existing course or describe a new one, not both.")
                )
            return data
        if not data.get("new_code"):
            self.add_error("course", _("Choose a course, or describe a new one."))
            return data
        course = Course(**{model: data.get(field) for model, field in self.NEW_FIELDS.items()})
        try:
            course.full_clean()
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                for message in messages:
                    self.add_error(self.NEW_FIELDS.get(name), message)
        else:
            self.new_course = course
        return data


class PartnerForm(BootstrapForm):
    checked_model = ProgramPartner
    organization = OrganizationChoiceField(
        label=_("Organisation"), queryset=Organization.objects.order_by("name")
    )
    agreement_start = forms.DateField(
        label=_("Agreement start"), widget=forms.DateInput(attrs=DATE)
    )
    agreement_end = forms.DateField(
        label=_("Agreement end"), required=False, widget=forms.DateInput(attrs=DATE)
    )
    places_offered = forms.IntegerField(label=_("Places offered"), min_value=0, initial=0)
    responsibilities = forms.MultipleChoiceField(
        label=_("Responsibilities"),
        choices=Responsibility.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    agreement_file = forms.FileField(
        label=_("Signed agreement (PDF)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,application/pdf"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _check_period(
            self,
            data,
            "agreement_start",
            "agreement_end",
            _("The agreement cannot end before it starts."),
        )
        return data


class PartnerEditForm(PartnerForm):
    """The partnership's agreement and responsibilities; the organisation stays. Under the
    file input: a link to the agreement on file, which a new upload replaces."""

    def __init__(self, *args: Any, partner: ProgramPartner, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["organization"]
        upload = self.fields["agreement_file"]
        upload.widget = forms.FileInput(
            attrs={"accept": ".pdf,application/pdf", "class": "form-control"}
        )
        if partner.agreement_file:
            upload.label = _("Replace the signed agreement (PDF)")
            link = format_html(
                '<a href="{}">{}</a>',
                reverse("programs:partner-agreement", args=[partner.pk]),
                uploaded_name(partner.agreement_file),
            )
            sentence = escape(_("On file: %(file)s. A new upload replaces it."))
            upload.help_text = mark_safe(sentence % {"file": link})  # noqa: S308  (escaped)
        else:
            upload.help_text = _("No signed agreement is on file yet.")


class CurriculumEntryForm(BootstrapForm):
    requirement = forms.ChoiceField(
        label=_("Requirement"), choices=ProgramCourse.Requirement.choices
    )
    semester = forms.IntegerField(label=_("Semester"), min_value=1, max_value=12)


class CourseForm(BootstrapForm):
    """The course itself, as every program that teaches it sees it."""

    code = forms.CharField(label=_("Code"), max_length=32)
    title = forms.CharField(label=_("Title"), max_length=200)
    credits = forms.DecimalField(
        label=_("Credits"),
        max_digits=4,
        decimal_places=1,
        min_value=Decimal("0.1"),
        max_value=Decimal("20"),
    )
    category = forms.ChoiceField(label=_("Category"), choices=CourseCategory.choices)
    integrates_ie = forms.BooleanField(
        label=_("Integrates innovation & entrepreneurship"), required=False
    )
    delivering_organization = OrganizationChoiceField(
        label=_("Delivering organisation"), queryset=Organization.objects.order_by("name")
    )
    description = text_area(_("Description"), rows=3)


class EnrolForm(BootstrapForm):
    email = AccountEmailField(
        label=_("E-mail of the student's account"),
        help_text=_("The person must already have an account in the portal."),
    )
    student_number = forms.CharField(label=_("Student number"), max_length=32)
    cohort = forms.IntegerField(label=_("Cohort (year of entry)"), min_value=1900, max_value=2200)
    enrolled_on = forms.DateField(label=_("Enrolled on"), widget=forms.DateInput(attrs=DATE))


class AssignTutorForm(BootstrapForm):
    student = forms.ModelChoiceField(label=_("Student"), queryset=Student.objects.none())
    tutor = forms.ModelChoiceField(label=_("Tutor"), queryset=TutorProfile.objects.none())
    role = forms.ChoiceField(label=_("Role"), choices=TutorProfile.Kind.choices)
    replace = forms.BooleanField(label=_("Replace the current academic tutor"), required=False)
    over_capacity_reason = text_area(
        _("Reason to exceed the tutor's capacity"),
        rows=2,
        help_text=_("Needed only when the tutor already supervises as many students as agreed."),
    )

    def __init__(
        self,
        *args: Any,
        students: QuerySet[Student],
        tutors: QuerySet[TutorProfile],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["student"].queryset = students  # type: ignore[attr-defined]
        self.fields["tutor"].queryset = tutors  # type: ignore[attr-defined]


class ProgramCloseForm(BootstrapForm):
    """Closing a program: the reason is optional, kept with the change."""

    reason = text_area(
        _("Reason"),
        rows=2,
        max_length=500,
        help_text=_("Optional; kept with the change in the program's status changes."),
    )
