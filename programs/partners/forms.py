"""Forms of the organisation pages: the register's filters, an organisation's facts, its
status, and the renewal of a partnership's agreement. They validate input; the services
hold the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from training_portal.core.forms import BootstrapForm

from ..models import Organization

ANY = ("", pgettext_lazy("filter", "Any"))
DATE = {"type": "date"}


class OrganizationFilterForm(BootstrapForm):
    """The filters of the organisation register (a GET form: every field optional)."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        help_text=_("Name, short name or city."),
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[ANY, *Organization.Kind.choices], required=False
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[ANY, *Organization.Status.choices], required=False
    )
    city = forms.ChoiceField(label=_("City or region"), choices=[ANY], required=False)

    def __init__(self, *args: Any, cities: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["city"].choices = [ANY, *((city, city) for city in cities)]  # type: ignore[attr-defined]

    def filter(self) -> Q:
        """The valid, chosen filters as one condition (an invalid one is shown and ignored)."""
        if not self.is_bound:
            return Q()
        self.is_valid()
        data = self.cleaned_data
        condition = Q()
        if data.get("q"):
            text = data["q"].strip()
            condition &= (
                Q(name__icontains=text) | Q(short_name__icontains=text) | Q(city__icontains=text)
            )
        for name in ("kind", "status", "city"):
            if data.get(name):
                condition &= Q(**{name: data[name]})
        return condition


class OrganizationForm(BootstrapForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    short_name = forms.CharField(label=_("Short name"), max_length=60, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=Organization.Kind.choices)
    city = forms.CharField(label=_("City or region"), max_length=100, required=False)
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class OrganizationStatusForm(BootstrapForm):
    to_status = forms.ChoiceField(label=_("New status"), choices=Organization.Status.choices)
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
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
