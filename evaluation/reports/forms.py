"""The form that requests a report: its subject (only those the user may see) and, for a
program's annual report, the year. The service checks the rest."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programs.models import Organization, Program, Student
from training_portal.core.forms import BootstrapForm

from ..models import Report
from . import permissions


class ReportRequestForm(BootstrapForm):
    program = forms.ModelChoiceField(label=_("Program"), queryset=Program.objects.none())
    year = forms.IntegerField(label=_("Year"), min_value=1900, max_value=2100)
    organization = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organization.objects.none()
    )
    student = forms.ModelChoiceField(
        label=_("Student number"),
        queryset=Student.objects.none(),
        to_field_name="student_number",
        widget=forms.TextInput,
        error_messages={"invalid_choice": _("No student with this number is open to you.")},
    )

    #: The fields each kind of report asks for.
    FIELDS = {
        Report.Kind.PROGRAM_ANNUAL: ("program", "year"),
        Report.Kind.PARTNER_SCORECARD: ("organization",),
        Report.Kind.STUDENT_RECORD: ("student",),
    }

    def __init__(self, *args: Any, kind: str, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        for name in list(self.fields):
            if name not in self.FIELDS[Report.Kind(kind)]:
                del self.fields[name]
        if "program" in self.fields:
            self.fields["program"].queryset = Program.objects.filter(  # type: ignore[attr-defined]
                pk__in=permissions.program_ids_open_to(user)
            ).order_by("code")
            self.fields["year"].initial = timezone.localdate().year
        if "organization" in self.fields:
            self.fields["organization"].queryset = Organization.objects.filter(  # type: ignore[attr-defined]
                pk__in=permissions.organization_ids_open_to(user)
            ).order_by("name")
        if "student" in self.fields:
            self.fields["student"].queryset = Student.objects.filter(  # type: ignore[attr-defined]
                pk__in=permissions.student_ids_open_to(user)
            )
