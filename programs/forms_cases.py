"""Forms of the case-log review: the tutor's question or rejection, the student's answer or
correction. They validate input; `services.logs` holds the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from training_portal.core.forms import BootstrapForm

from .forms_admin import DATE
from .models import CaseLog


class CaseReviewForm(BootstrapForm):
    """One note per row of the to-verify list: the question (query) or the reason (reject)."""

    note = forms.CharField(
        label=_("Question or reason for the student"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 1}),
    )


class CaseAnswerForm(BootstrapForm):
    """The student answers the tutor's question and may correct the cases."""

    answer = forms.CharField(
        label=_("Your answer"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs=DATE))
    modality = forms.ChoiceField(label=_("Modality"), choices=CaseLog.Modality.choices)
    procedure = forms.CharField(label=_("Procedure or task"), max_length=200)
    count = forms.IntegerField(label=_("Number of cases"), min_value=1, max_value=1000)
    role = forms.ChoiceField(
        label=pgettext_lazy("case log", "Your role"), choices=CaseLog.Role.choices
    )
