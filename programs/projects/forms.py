"""Forms of projects, their members and outputs."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.forms import AccountEmailField
from training_portal.core.forms import BootstrapForm, optional_choices, text_area

from ..models import Organization, Project, ProjectMember, ProjectOutput
from .services import period_errors

DATE = {"type": "date"}


class ProjectForm(BootstrapForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=Project.Kind.choices)
    size = forms.ChoiceField(label=_("Size"), choices=Project.Size.choices)
    lead_organization = forms.ModelChoiceField(
        label=_("Lead organisation"), queryset=Organization.objects.none()
    )
    partner_organizations = optional_choices(_("Partner organisations"), Organization)
    start_date = forms.DateField(
        label=_("Start date"), required=False, widget=forms.DateInput(attrs=DATE)
    )
    end_date = forms.DateField(
        label=_("End date"), required=False, widget=forms.DateInput(attrs=DATE)
    )
    description = text_area(_("Description"), rows=4)

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
    email = AccountEmailField(
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
    reason = text_area(_("Reason for refusing"), rows=2, required=True)
