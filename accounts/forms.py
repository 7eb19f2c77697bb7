from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import User


class AccountEmailField(forms.EmailField):
    """The e-mail address of an active account in the portal: cleans to that account."""

    def clean(self, value: Any) -> Any:
        email = super().clean(value)
        account = User.objects.filter(email__iexact=email, is_active=True).first()
        if account is None:
            raise ValidationError(_("No active account has this e-mail address."))
        return account


class EmailAuthenticationForm(AuthenticationForm):
    """Sign in with e-mail address and password."""

    username = forms.EmailField(
        label=_("E-mail address"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.error_messages["invalid_login"] = _(
            "The e-mail address or password is wrong. Note that the password is case-sensitive."
        )


class ProfileForm(forms.ModelForm[User]):
    class Meta:
        model = User
        fields = ["full_name", "preferred_language"]


class UserImportForm(forms.Form):
    file = forms.FileField(
        label=_("File (.xlsx or .csv)"),
        help_text=_(
            "First row: email, full_name, preferred_language (en or zh-hans). "
            "CSV may be UTF-8 or GB18030."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
    send_invitations = forms.BooleanField(
        label=_("E-mail each new user a link to set their password"), required=False
    )


class UserSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    active = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), ("1", pgettext_lazy("account", "Active")), ("0", _("Inactive"))],
    )
