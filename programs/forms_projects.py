"""Forms of the projects and case-log pages: they validate input; the services hold the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from training_portal.core.formats import format_date
from training_portal.core.forms import BootstrapForm

from .models import (
    CaseLog,
    Organization,
    Placement,
    Program,
    Project,
    ProjectMember,
    ProjectOutput,
    Student,
)
from .services.logs import case_date_errors
from .services.projects import period_errors

DATE = {"type": "date"}
ANY = ("", pgettext_lazy("filter", "Any"))


class ProjectFilterForm(BootstrapForm):
    """The filters of the project list (a GET form: every field optional)."""

    program = forms.ModelChoiceField(
        label=_("Program"),
        queryset=Program.objects.none(),
        required=False,
        empty_label=pgettext_lazy("filter", "Any"),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=[ANY, *Project.Kind.choices], required=False)
    size = forms.ChoiceField(label=_("Size"), choices=[ANY, *Project.Size.choices], required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=[ANY, *Project.Status.choices], required=False
    )

    def __init__(self, *args: Any, programs: QuerySet[Program], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = programs  # type: ignore[attr-defined]

    def filters(self) -> dict[str, Any]:
        """The valid, chosen filters as lookups (an invalid one is shown and ignored)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}


class ProjectForm(BootstrapForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=Project.Kind.choices)
    size = forms.ChoiceField(label=_("Size"), choices=Project.Size.choices)
    lead_organization = forms.ModelChoiceField(
        label=_("Lead organisation"), queryset=Organization.objects.none()
    )
    partner_organizations = forms.ModelMultipleChoiceField(
        label=_("Partner organisations"),
        queryset=Organization.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    start_date = forms.DateField(
        label=_("Start date"), required=False, widget=forms.DateInput(attrs=DATE)
    )
    end_date = forms.DateField(
        label=_("End date"), required=False, widget=forms.DateInput(attrs=DATE)
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(
        self,
        *args: Any,
        leads: QuerySet[Organization],
        partners: QuerySet[Organization],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead_organization"].queryset = leads  # type: ignore[attr-defined]
        self.fields["partner_organizations"].queryset = partners  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any] | None:
        """The date order with the field errors, so that all show at once."""
        data = super().clean() or {}
        for name, messages in period_errors(data.get("start_date"), data.get("end_date")).items():
            for message in messages:
                self.add_error(name, message)
        return data


class ProjectStatusForm(BootstrapForm):
    status = forms.ChoiceField(label=_("New status"), choices=Project.Status.choices)


class ProjectMemberForm(BootstrapForm):
    email = forms.EmailField(
        label=_("E-mail of the person's account"),
        help_text=_(
            "A student of the program, or a tutor or coordinator of the project's organisations."
        ),
    )
    role = forms.ChoiceField(
        label=pgettext_lazy("project member", "Role"),
        choices=ProjectMember.Role.choices,
        initial=ProjectMember.Role.MEMBER,
    )

    def clean_email(self) -> User:
        email = self.cleaned_data["email"]
        account = User.objects.filter(email__iexact=email, is_active=True).first()
        if account is None:
            raise ValidationError(_("No active account has this e-mail address."))
        return account


class ProjectOutputForm(BootstrapForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=ProjectOutput.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=300)
    reference = forms.CharField(
        label=_("Reference"),
        max_length=300,
        required=False,
        help_text=_("A DOI, a patent number, a repository or a company registration."),
    )
    produced_on = forms.DateField(
        label=_("Date"), required=False, widget=forms.DateInput(attrs=DATE)
    )


class ProjectRefuseForm(BootstrapForm):
    reason = forms.CharField(
        label=_("Reason for refusing"), widget=forms.Textarea(attrs={"rows": 2})
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
    placement = forms.ModelChoiceField(
        label=_("Placement"),
        queryset=Placement.objects.none(),
        required=False,
        empty_label=_("None"),
    )

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
