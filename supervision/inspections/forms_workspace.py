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
from training_portal.core.forms import BootstrapForm, optional_choice, text_area

from ..models import ChecklistItem, Inspection, Observation, SampledStudent
from ..models.audit import Severity
from .forms import DATE

# ---- The workspace ---------------------------------------------------------------------------


class ChecklistResultForm(BootstrapForm):
    result = forms.ChoiceField(label=_("Result"), choices=ChecklistItem.Result.choices)
    note = text_area(pgettext_lazy("checklist", "Note"), rows=2)


class SampledStudentForm(BootstrapForm):
    examined = forms.BooleanField(label=_("Examined"), required=False)
    note = text_area(pgettext_lazy("sample", "Note"), rows=2)


def sampled_label(sampled: SampledStudent) -> str:
    student = sampled.student
    return f"{student.user.full_name or student.user.email} ({student.student_number})"


class ObservationForm(BootstrapForm):
    text = text_area(_("Observation"), rows=3, required=True)
    checklist_item = optional_choice(_("About the checklist question"), ChecklistItem)
    sampled_student = optional_choice(_("About the sampled student"), SampledStudent)

    def __init__(self, *args: Any, inspection: Inspection, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["checklist_item"].queryset = inspection.checklist.all()  # type: ignore[attr-defined]
        sample: Any = self.fields["sampled_student"]
        sample.queryset = inspection.sample.select_related("student__user")
        sample.label_from_instance = sampled_label


class EvidenceForm(BootstrapForm):
    upload = forms.FileField(label=_("File"), help_text=_("At most 20 MB."))
    observation = optional_choice(_("About the observation"), Observation)

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
    text = text_area(_("What was found"), rows=4, required=True)
    program = optional_choice(
        _("Program concerned"), Program, empty_label=_("The inspected program")
    )
    student = optional_choice(_("Sampled student concerned"), SampledStudent)
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
    body = text_area(_("Text"), rows=8)
    position = forms.IntegerField(label=_("Position"), min_value=0, max_value=999, required=False)


class SectionEditForm(BootstrapForm):
    """An existing section of the draft (its key stays)."""

    title = forms.CharField(label=_("Title"), max_length=200)
    body = text_area(_("Text"), rows=8)
    position = forms.IntegerField(label=_("Position"), min_value=0, max_value=999, required=False)


class OpenReplyForm(BootstrapForm):
    days = forms.IntegerField(label=_("Days for the reply"), min_value=1, max_value=60)


class CommentForm(BootstrapForm):
    text = text_area(_("Your comment on this section"), rows=3, required=True)


class AnswerForm(BootstrapForm):
    answer = text_area(_("Answer"), rows=3, required=True)
    revised_body = text_area(
        _("Revised text of the section (optional)"),
        rows=5,
        help_text=_("Leave empty to keep the section as it is."),
    )


class PublicationRequestForm(BootstrapForm):
    correction_note = text_area(
        _("What the correction changes"),
        rows=3,
        help_text=_("Required for a correction of a published report: it is published with it."),
    )
