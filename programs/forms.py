"""Forms of the programs pages: they validate input; the services hold the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from .models import Course, ProgressLog, TrainingPlan
from .models.training import Modality


class BootstrapForm(forms.Form):
    """Gives each widget Bootstrap's class, since `includes/form.html` renders widgets as is."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_widgets()

    def style_widgets(self) -> None:
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                continue
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs.setdefault("class", css)

    def add_service_errors(
        self, exc: ValidationError, aliases: dict[str, str] | None = None
    ) -> None:
        """Show a service's ValidationError on the fields it names (renamed by `aliases`),
        the rest on the form."""
        if not hasattr(exc, "error_dict"):
            for message in exc.messages:
                self.add_error(None, message)
            return
        for name, messages in exc.message_dict.items():
            field = (aliases or {}).get(name, name)
            for message in messages:
                self.add_error(field if field in self.fields else None, message)


class ProgressLogForm(BootstrapForm):
    """A tutor's short record of a supervision contact (phone-friendly)."""

    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label=_("Kind"), choices=ProgressLog.Kind.choices)
    minutes = forms.IntegerField(
        label=_("Minutes"),
        min_value=1,
        max_value=24 * 60,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 3}))
    shared = forms.BooleanField(label=_("Shared with the student"), required=False, initial=True)


class AcknowledgeForm(BootstrapForm):
    comment = forms.CharField(
        label=_("Your comment (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class PlanTransitionForm(BootstrapForm):
    ACTIONS = (
        ("submit", _("Submit")),
        ("tutor_approve", _("Approve as tutor")),
        ("approve", _("Approve")),
        ("return", _("Return for changes")),
        ("revise", _("Start a new version")),
    )

    action = forms.ChoiceField(label=_("Action"), choices=ACTIONS)
    comment = forms.CharField(
        label=_("Comment (what the student should change)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class PlanForm(BootstrapForm):
    """The fields a student fills in a draft plan; one target field per modality."""

    career_goal = forms.ChoiceField(label=_("Career goal"), choices=TrainingPlan.CareerGoal.choices)
    personal_objectives = forms.CharField(
        label=_("Personal objectives"), widget=forms.Textarea(attrs={"rows": 4})
    )
    planned_placements = forms.CharField(
        label=_("Planned placements"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    planned_projects = forms.CharField(
        label=_("Planned projects"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
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


class ConfirmPlacementForm(BootstrapForm):
    """No fields: carries the service's errors when a confirmation is refused."""
