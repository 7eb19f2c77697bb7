"""Forms of the organisation pages: the register's filters, an organisation's facts, its
status, and the renewal of a partnership's agreement. They validate input; the services
hold the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from training_portal.core.forms import BootstrapForm, text_area

from ..models import Organization

DATE = {"type": "date"}


class OrganizationForm(BootstrapForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    short_name = forms.CharField(label=_("Short name"), max_length=60, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=Organization.Kind.choices)
    city = forms.CharField(label=_("City or region"), max_length=100, required=False)
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    description = text_area(_("Description"), rows=3)


class OrganizationStatusForm(BootstrapForm):
    to_status = forms.ChoiceField(label=_("New status"), choices=Organization.Status.choices)
    reason = text_area(
        _("Reason"),
        rows=3,
        required=True,
        help_text=_("Shown in the organisation's status history."),
    )


class RenewAgreementForm(BootstrapForm):
    agreement_end = forms.DateField(
        label=_("New end of the agreement"), widget=forms.DateInput(attrs=DATE)
    )
    agreement_file = forms.FileField(
        label=_("Newly signed agreement (PDF)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,application/pdf"}),
        help_text=_("Optional; the previous file stays in the history."),
    )


class CounsellorPostingForm(BootstrapForm):
    """Post an existing account as a counsellor at the organisation."""

    email = forms.EmailField(
        label=_("E-mail address of the counsellor"),
        max_length=254,
        help_text=_("The person must already have an account in the portal."),
    )
