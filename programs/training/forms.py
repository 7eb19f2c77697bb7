"""Forms of plans, progress logs, sign-off and case logs."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from training_portal.core.formats import format_date
from training_portal.core.forms import BootstrapForm, optional_choice, text_area

from ..design.forms import DATE
from ..models import CaseLog, Course, Placement, ProgressLog, Student, TrainingPlan
from ..models.training import Modality
from .services.logs import case_date_errors


class ProgressLogForm(BootstrapForm):
    """A tutor's short record of a supervision contact (phone-friendly).

    Up to `CASE_ROWS` rows of cases seen in the session become case logs of the same log, so
    one supervised session is typed once and counts both as a contact and as case evidence.
    """

    CASE_ROWS = 3
    MAIN_FIELDS = ("date", "kind", "minutes", "summary", "shared", "placement")

    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label=_("Kind"), choices=ProgressLog.Kind.choices)
    minutes = forms.IntegerField(
        label=_("Minutes"),
        min_value=1,
        max_value=24 * 60,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    summary = text_area(_("Summary"), rows=3, required=True)
    shared = forms.BooleanField(label=_("Shared with the student"), required=False, initial=True)
    placement = forms.ModelChoiceField(
        label=_("Placement"), queryset=Placement.objects.none(), required=False
    )

    def __init__(
        self,
        *args: Any,
        placements: QuerySet[Placement] | None = None,
        with_cases: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if placements is not None:
            self.fields["placement"].queryset = placements  # type: ignore[attr-defined]
        self.case_rows: list[list[str]] = []
        if with_cases:
            for row in range(1, self.CASE_ROWS + 1):
                names = [
                    f"case_{row}_modality",
                    f"case_{row}_procedure",
                    f"case_{row}_count",
                    f"case_{row}_role",
                ]
                self.fields[names[0]] = forms.ChoiceField(
                    label=_("Case row %(row)d: modality") % {"row": row},
                    choices=[("", "---------"), *Modality.choices],
                    required=False,
                )
                self.fields[names[1]] = forms.CharField(
                    label=_("Case row %(row)d: procedure or task") % {"row": row},
                    max_length=200,
                    required=False,
                )
                self.fields[names[2]] = forms.IntegerField(
                    label=_("Case row %(row)d: number of cases") % {"row": row},
                    min_value=1,
                    max_value=1000,
                    required=False,
                    widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
                )
                self.fields[names[3]] = forms.ChoiceField(
                    label=_("Case row %(row)d: the student's role") % {"row": row},
                    choices=[("", "---------"), *CaseLog.Role.choices],
                    required=False,
                )
                self.case_rows.append(names)
            self.style_widgets()

    def main_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.MAIN_FIELDS]

    def case_fields(self) -> list[list[forms.BoundField]]:
        return [[self[name] for name in names] for names in self.case_rows]

    def cases_open(self) -> bool:
        """Show the case rows unfolded when something was typed in them."""
        return any(
            self[name].value() not in (None, "") or self[name].errors
            for names in self.case_rows
            for name in names
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for names in self.case_rows:
            values = [data.get(name) for name in names]
            if any(value not in (None, "") for value in values):
                for name, value in zip(names, values, strict=True):
                    if value in (None, "") and name not in self.errors:
                        self.add_error(
                            name, _("Fill in the modality, the procedure, the number and the role.")
                        )
        return data

    def log_fields(self) -> dict[str, Any]:
        """The cleaned data in the shape `write_progress_log` / `edit_progress_log` take."""
        fields = {name: self.cleaned_data.get(name) for name in self.MAIN_FIELDS}
        if self.case_rows:
            fields["cases"] = [
                {
                    "modality": self.cleaned_data[names[0]],
                    "procedure": self.cleaned_data[names[1]],
                    "count": self.cleaned_data[names[2]],
                    "role": self.cleaned_data[names[3]],
                }
                for names in self.case_rows
                if self.cleaned_data.get(names[0])
            ]
        return fields


class CorrectionForm(BootstrapForm):
    text = text_area(_("Correction"), rows=2, required=True)


class MilestoneSignOffForm(BootstrapForm):
    completed_on = forms.DateField(
        label=_("Completed on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    evidence = text_area(
        _("Evidence"),
        rows=2,
        help_text=_("What shows the milestone was reached (a report, a presentation, a mark)."),
    )
    evidence_file = forms.FileField(
        label=_("Evidence file (PDF, JPEG or PNG)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )


class SignOffRequestForm(BootstrapForm):
    tutor = forms.ModelChoiceField(label=_("Practice tutor"), queryset=User.objects.none())

    def __init__(self, *args: Any, tutors: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tutor"].queryset = tutors  # type: ignore[attr-defined]


class AcknowledgeForm(BootstrapForm):
    comment = text_area(_("Your comment (optional)"), rows=2)


class PlanTransitionForm(BootstrapForm):
    ACTIONS = (
        ("submit", _("Submit")),
        ("tutor_approve", _("Approve as tutor")),
        ("approve", _("Approve")),
        ("return", _("Return for changes")),
        ("revise", _("Start a new version")),
    )

    action = forms.ChoiceField(label=_("Action"), choices=ACTIONS)
    comment = text_area(_("Comment (what the student should change)"), rows=2)


class PlanForm(BootstrapForm):
    """The fields a student fills in a draft plan; one target field per modality."""

    career_goal = forms.ChoiceField(label=_("Career goal"), choices=TrainingPlan.CareerGoal.choices)
    personal_objectives = text_area(_("Personal objectives"), rows=4, required=True)
    planned_placements = text_area(_("Planned placements"), rows=2)
    planned_projects = text_area(_("Planned projects"), rows=2)
    courses = forms.ModelMultipleChoiceField(
        label=_("Courses"), queryset=Course.objects.none(), required=False
    )

    def __init__(self, *args: Any, courses: QuerySet[Course], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["courses"].queryset = courses  # type: ignore[attr-defined]
        for modality in Modality:
            self.fields[f"target_{modality.value}"] = forms.IntegerField(
                label=_("Case target: %(modality)s") % {"modality": modality.label},
                required=False,
                min_value=1,
                max_value=100_000,
            )
        self.style_widgets()

    @staticmethod
    def initial_for(plan: TrainingPlan) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "career_goal": plan.career_goal,
            "personal_objectives": plan.personal_objectives,
            "planned_placements": plan.planned_placements,
            "planned_projects": plan.planned_projects,
            "courses": [course.pk for course in plan.courses.all()],
        }
        for target in plan.case_targets.all():
            initial[f"target_{target.modality}"] = target.target
        return initial

    def plan_fields(self) -> dict[str, Any]:
        """The cleaned data in the shape `draft_plan` / `update_plan` take."""
        data = self.cleaned_data
        return {
            "career_goal": data["career_goal"],
            "personal_objectives": data["personal_objectives"],
            "planned_placements": data["planned_placements"],
            "planned_projects": data["planned_projects"],
            "courses": list(data["courses"]),
            "case_targets": {
                modality.value: data[f"target_{modality.value}"]
                for modality in Modality
                if data.get(f"target_{modality.value}")
            },
        }


class CaseReviewForm(BootstrapForm):
    """One note per row of the to-verify list: the question (query) or the reason (reject)."""

    note = text_area(_("Question or reason for the student"), rows=1)


class CaseAnswerForm(BootstrapForm):
    """The student answers the tutor's question and may correct the cases."""

    answer = text_area(_("Your answer"), rows=3)
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs=DATE))
    modality = forms.ChoiceField(label=_("Modality"), choices=CaseLog.Modality.choices)
    procedure = forms.CharField(label=_("Procedure or task"), max_length=200)
    count = forms.IntegerField(label=_("Number of cases"), min_value=1, max_value=1000)
    role = forms.ChoiceField(
        label=pgettext_lazy("case log", "Your role"), choices=CaseLog.Role.choices
    )


class CaseLogForm(BootstrapForm):
    """A student's record of cases, short enough to fill in on a phone at the scanner."""

    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs=DATE))
    modality = forms.ChoiceField(label=_("Modality"), choices=CaseLog.Modality.choices)
    procedure = forms.CharField(
        label=_("Procedure or task"),
        max_length=200,
        help_text=_("For example: chest CT, knee MR protocol, phantom QA."),
    )
    count = forms.IntegerField(
        label=_("Number of cases"),
        min_value=1,
        max_value=1000,
        initial=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    role = forms.ChoiceField(
        label=pgettext_lazy("case log", "Your role"), choices=CaseLog.Role.choices
    )
    placement = optional_choice(_("Placement"), Placement)

    def __init__(
        self,
        *args: Any,
        placements: QuerySet[Placement],
        student: Student | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.student = student
        self.fields["placement"].queryset = placements  # type: ignore[attr-defined]
        self.fields["placement"].label_from_instance = _placement_label  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any] | None:
        """The date's limits (not in the future, not before the enrolment) with the field
        errors, so that all show at once; the service checks them again."""
        data = super().clean() or {}
        if self.student is not None and data.get("date") is not None:
            for message in case_date_errors(data["date"], self.student):
                self.add_error("date", message)
        return data


def _placement_label(placement: Placement) -> str:
    return gettext("%(host)s, %(start)s to %(end)s") % {
        "host": placement.host,
        "start": format_date(placement.start_date, short=True),
        "end": format_date(placement.end_date, short=True),
    }


class VerifyCaseForm(BootstrapForm):
    """No fields: carries the service's errors when a verification is refused."""
