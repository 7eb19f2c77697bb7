"""Forms of a student's status: one form per action of `programs.people.workflow.TRANSITIONS`
(keeping the inputs that action takes), the decision on a request, the destination and its
follow-up. Every input is optional here: the services report all problems at once."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from training_portal.core.forms import BootstrapForm, text_area

from ..models import GraduateDestination, Student, TutorAssignment, TutorProfile
from .workflow import Kind, Transition

DATE = {"type": "date"}

_START_LABELS: dict[str, Any] = {
    Kind.SUSPENSION: _("Suspended from"),
    Kind.RESUMPTION: _("Study resumes on"),
    Kind.WITHDRAWAL: _("Withdrawn on"),
    Kind.GRADUATION: _("Degree date"),
}
_END_LABELS: dict[str, Any] = {
    Kind.SUSPENSION: _("Expected end of the suspension"),
    Kind.EXTENSION: _("New expected end of study"),
}


class TutorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.user} ({obj.get_kind_display()}, {obj.organization})"


class AssignmentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.tutor.user} ({obj.get_role_display()})"


class StatusChangeForm(BootstrapForm):
    starts_on = forms.DateField(label=_("Date"), required=False, widget=forms.DateInput(attrs=DATE))
    ends_on = forms.DateField(label=_("Until"), required=False, widget=forms.DateInput(attrs=DATE))
    shift_days = forms.IntegerField(
        label=_("Move open milestones by (days)"), required=False, min_value=0, max_value=1095
    )
    tutor = TutorChoiceField(
        label=_("New tutor"), queryset=TutorProfile.objects.none(), required=False
    )
    replaces = AssignmentChoiceField(
        label=_("Tutor replaced (practice tutors; the academic tutor is always replaced)"),
        queryset=TutorAssignment.objects.none(),
        required=False,
    )
    over_capacity_reason = text_area(_("Reason for exceeding the tutor's capacity"), rows=2)
    reason = text_area(_("Reason"), rows=2)

    def __init__(self, *args: Any, transition: Transition, student: Student, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", transition.action)
        super().__init__(*args, **kwargs)
        self.transition = transition
        for name in list(self.fields):
            if name not in transition.fields:
                del self.fields[name]
        if "starts_on" in self.fields:
            self.fields["starts_on"].label = _START_LABELS.get(transition.kind, _("Date"))
            if transition.kind == Kind.SUSPENSION:
                self.fields["starts_on"].help_text = _(
                    "May be up to a year ahead: the status changes on that day."
                )
        if "ends_on" in self.fields:
            self.fields["ends_on"].label = _END_LABELS.get(transition.kind, _("Until"))
        if "tutor" in self.fields:
            program = student.program
            tutor_field = self.fields["tutor"]
            assert isinstance(tutor_field, forms.ModelChoiceField)
            tutor_field.queryset = (
                TutorProfile.objects.filter(is_active=True)
                .filter(
                    Q(organization=program.lead_university_id)
                    | Q(
                        organization__partnerships__program=program,
                        organization__partnerships__is_active=True,
                    )
                )
                .select_related("user", "organization")
                .distinct()
                .order_by("user__full_name")
            )
            replaces_field = self.fields["replaces"]
            assert isinstance(replaces_field, forms.ModelChoiceField)
            replaces_field.queryset = TutorAssignment.objects.filter(
                student=student, ended_on__isnull=True
            ).select_related("tutor__user")

    def change_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.setdefault("reason", "")
        data["reason"] = data["reason"] or ""
        if "over_capacity_reason" in data:
            data["over_capacity_reason"] = data["over_capacity_reason"] or ""
        return data


class DecisionForm(BootstrapForm):
    decision = forms.ChoiceField(
        choices=[("approve", _("Approve")), ("refuse", _("Refuse"))], widget=forms.HiddenInput
    )
    note = text_area(_("Note (required when refusing)"), rows=2)


class DestinationForm(BootstrapForm):
    employer = forms.CharField(label=_("Employer or institution"), max_length=200, required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=GraduateDestination.Kind.choices, required=False
    )
    region = forms.CharField(label=_("Region"), max_length=100, required=False)
    relevance = forms.ChoiceField(
        label=_("Relevance to the field"),
        choices=GraduateDestination.Relevance.choices,
        required=False,
    )


class FollowUpForm(BootstrapForm):
    still_there = forms.TypedChoiceField(
        label=_("Still with the same employer?"),
        choices=[("", "—"), ("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
        empty_value=None,
        required=False,
    )
    current_employer = forms.CharField(
        label=_("Current employer (if changed)"), max_length=200, required=False
    )
    current_relevance = forms.ChoiceField(
        label=_("Current relevance to the field"),
        choices=[("", "—"), *GraduateDestination.Relevance.choices],
        required=False,
    )
    note = text_area(_("Note"), rows=2)
