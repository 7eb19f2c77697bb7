"""Forms of an inspection's workspace (checklist, sample, observations, evidence, findings)
and of its report (sections, the reply window, comments and answers, publication); they
validate input and shape it for `supervision.inspections.services`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from programs.models import Program
from training_portal.core.forms import BootstrapForm

from ..models import ChecklistItem, Inspection, Observation, SampledStudent
from ..models.audit import Severity
from .forms import DATE

# ---- The workspace ---------------------------------------------------------------------------


class ChecklistResultForm(BootstrapForm):
    result = forms.ChoiceField(label=_("Result"), choices=ChecklistItem.Result.choices)
    note = forms.CharField(
        label=pgettext_lazy("checklist", "Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class SampledStudentForm(BootstrapForm):
    examined = forms.BooleanField(label=_("Examined"), required=False)
    note = forms.CharField(
        label=pgettext_lazy("sample", "Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def sampled_label(sampled: SampledStudent) -> str:
    student = sampled.student
    return f"{student.user.full_name or student.user.email} ({student.student_number})"


class ObservationForm(BootstrapForm):
    text = forms.CharField(label=_("Observation"), widget=forms.Textarea(attrs={"rows": 3}))
    checklist_item = forms.ModelChoiceField(
        label=_("About the checklist question"),
        queryset=ChecklistItem.objects.none(),
        required=False,
        empty_label=_("None"),
    )
    sampled_student = forms.ModelChoiceField(
        label=_("About the sampled student"),
        queryset=SampledStudent.objects.none(),
        required=False,
        empty_label=_("None"),
    )

    def __init__(self, *args: Any, inspection: Inspection, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["checklist_item"].queryset = inspection.checklist.all()  # type: ignore[attr-defined]
        sample: Any = self.fields["sampled_student"]
        sample.queryset = inspection.sample.select_related("student__user")
        sample.label_from_instance = sampled_label


class EvidenceForm(BootstrapForm):
    upload = forms.FileField(label=_("File"), help_text=_("At most 20 MB."))
    observation = forms.ModelChoiceField(
        label=_("About the observation"),
        queryset=Observation.objects.none(),
        required=False,
        empty_label=_("None"),
    )

    def __init__(self, *args: Any, inspection: Inspection, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["observation"]
        field.queryset = inspection.observations.all()
        field.label_from_instance = lambda obs: f"#{obs.pk}: {obs!s}"


class InspectionFindingForm(BootstrapForm):
    """A finding of the inspection: it joins the findings of the audits (same life, same
    lists)."""

    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices, initial="major")
    title = forms.CharField(label=_("Title"), max_length=200)
    text = forms.CharField(label=_("What was found"), widget=forms.Textarea(attrs={"rows": 4}))
    program = forms.ModelChoiceField(
        label=_("Program concerned"),
        queryset=Program.objects.none(),
        required=False,
        empty_label=_("The inspected program"),
    )
    student = forms.ModelChoiceField(
        label=_("Sampled student concerned"),
        queryset=SampledStudent.objects.none(),
        required=False,
        empty_label=_("None"),
    )
    due_date = forms.DateField(
        label=_("To be remedied by"), required=False, widget=forms.DateInput(attrs=DATE)
    )

    def __init__(
        self, *args: Any, inspection: Inspection, programs: QuerySet[Program], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if inspection.program_id:
            del self.fields["program"]
        else:
            field: Any = self.fields["program"]
            field.queryset = programs.order_by("code")
            field.empty_label = _("Choose the program")
        student: Any = self.fields["student"]
        student.queryset = inspection.sample.select_related("student__user")
        student.label_from_instance = sampled_label

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        sampled = data.get("student")
        return {
            "severity": data["severity"],
            "title": data["title"],
            "text": data["text"],
            "program": data.get("program"),
            "student": sampled.student if sampled else None,
            "due_date": data.get("due_date"),
        }


class ReportSectionForm(BootstrapForm):
    key = forms.SlugField(
        label=_("Key"),
        max_length=40,
        help_text=_("A short identifier, such as “summary” (letters, digits, hyphens)."),
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Text"), required=False, widget=forms.Textarea(attrs={"rows": 8})
    )
    position = forms.IntegerField(label=_("Position"), min_value=0, max_value=999, required=False)


class SectionEditForm(BootstrapForm):
    """An existing section of the draft (its key stays)."""

    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Text"), required=False, widget=forms.Textarea(attrs={"rows": 8})
    )
    position = forms.IntegerField(label=_("Position"), min_value=0, max_value=999, required=False)


class OpenReplyForm(BootstrapForm):
    days = forms.IntegerField(label=_("Days for the reply"), min_value=1, max_value=60)


class CommentForm(BootstrapForm):
    text = forms.CharField(
        label=_("Your comment on this section"), widget=forms.Textarea(attrs={"rows": 3})
    )


class AnswerForm(BootstrapForm):
    answer = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 3}))
    revised_body = forms.CharField(
        label=_("Revised text of the section (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Leave empty to keep the section as it is."),
    )


class PublicationRequestForm(BootstrapForm):
    correction_note = forms.CharField(
        label=_("What the correction changes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required for a correction of a published report: it is published with it."),
    )
