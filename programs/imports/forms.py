"""The upload form of the import pages, and the form each row of a file goes through."""

from __future__ import annotations

from functools import cache
from typing import Any

from django import forms
from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.imports import UserImportRowForm
from training_portal.core.forms import BootstrapForm
from training_portal.core.tables import norm

from ..models import Organization, TutorProfile

DATE_FORMATS = ["%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"]


class ImportUploadForm(BootstrapForm):
    file = forms.FileField(
        label=gettext_lazy("File (.xlsx or .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "The first row names the columns. CSV may be UTF-8 or GB18030. At most %(size)d MB."
        ) % {"size": settings.IMPORT_MAX_FILE_SIZE // 2**20}


@cache
def _choice_aliases(choices: type[models.TextChoices]) -> dict[str, str]:
    """Each value by itself and by its label in every language of the portal."""
    aliases: dict[str, str] = {}
    for value, label in zip(choices.values, choices.labels, strict=True):
        aliases[norm(value)] = value
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                aliases.setdefault(norm(str(label)), value)
    return aliases


def _choice(raw: str, choices: type[models.TextChoices]) -> str:
    value = _choice_aliases(choices).get(norm(raw))
    if value is None:
        raise forms.ValidationError(
            _("Unknown value “%(value)s”: use one of %(choices)s.")
            % {"value": raw, "choices": ", ".join(str(label) for label in choices.labels)}
        )
    return value


class OrganizationRowForm(forms.Form):
    name = forms.CharField(max_length=200)
    short_name = forms.CharField(max_length=60, required=False)
    kind = forms.CharField()
    city = forms.CharField(max_length=100, required=False)
    website = forms.URLField(max_length=200, required=False, assume_scheme="https")
    description = forms.CharField(required=False)

    def clean_kind(self) -> str:
        return _choice(self.cleaned_data["kind"], Organization.Kind)


class TutorRowForm(UserImportRowForm):
    kind = forms.CharField()
    organization = forms.CharField(max_length=200)
    professional_title = forms.CharField(max_length=100, required=False)
    specialty = forms.CharField(max_length=200, required=False)
    qualifications = forms.CharField(required=False)
    practice_experience = forms.CharField(required=False)
    capacity = forms.IntegerField(min_value=1, max_value=100, required=False)

    def clean_kind(self) -> str:
        return _choice(self.cleaned_data["kind"], TutorProfile.Kind)

    def clean_organization(self) -> str:
        # Compared with the names in lower case, as the database's lower() gives them.
        return str(self.cleaned_data["organization"]).lower()

    def clean_capacity(self) -> int:
        capacity = self.cleaned_data.get("capacity")
        return int(
            TutorProfile._meta.get_field("capacity").default if capacity is None else capacity
        )


class StudentRowForm(UserImportRowForm):
    student_number = forms.CharField(max_length=32)
    cohort = forms.IntegerField(min_value=1990, max_value=2100)
    enrolled_on = forms.DateField(input_formats=DATE_FORMATS)
    academic_tutor = forms.EmailField(required=False)
    practice_tutor = forms.EmailField(required=False)

    def clean_academic_tutor(self) -> str:
        return str(self.cleaned_data.get("academic_tutor") or "").lower()

    def clean_practice_tutor(self) -> str:
        return str(self.cleaned_data.get("practice_tutor") or "").lower()
