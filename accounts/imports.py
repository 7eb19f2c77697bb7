"""Bulk import of user accounts from XLSX or CSV, all or nothing.

Every row is validated first (with spreadsheet row numbers: the header is row 1); if any
row is wrong nothing is created and the job offers an error report listing every bad row.
Reading the file, the spec of its columns and the error report: `training_portal.core.tables`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django import forms
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from training_portal.core.tables import (
    PROGRESS_EVERY,
    Column,
    ImportSpec,
    RowError,
    cells_of,
    form_errors,
)

from .models import LANGUAGE_CHOICES, User

USER_IMPORT = "accounts.user_import"

USERS = ImportSpec(
    kind=USER_IMPORT,
    label=gettext_lazy("User import"),
    sheet="users",
    columns=(
        Column(
            "email",
            gettext_lazy("e-mail address"),
            required=True,
            aliases=(
                "email",
                "e-mail",
                "e-mail address",
                "email address",
                "邮箱",
                "电子邮箱",
                "电子邮件",
            ),
        ),
        Column(
            "full_name",
            gettext_lazy("full name"),
            required=True,
            aliases=("full_name", "full name", "name", "姓名"),
        ),
        Column(
            "preferred_language",
            gettext_lazy("preferred language"),
            aliases=(
                "preferred_language",
                "preferred language",
                "language",
                "语言",
                "首选语言",
            ),
        ),
    ),
    examples=(("wang.fang@example.edu.cn", "王芳", "zh-hans"),),
)
LANGUAGE_ALIASES: dict[str, str] = {
    "": "",
    "en": "en",
    "english": "en",
    "英文": "en",
    "英语": "en",
    "zh": "zh-hans",
    "zh-hans": "zh-hans",
    "zh_hans": "zh-hans",
    "zh-cn": "zh-hans",
    "chinese": "zh-hans",
    "简体中文": "zh-hans",
    "中文": "zh-hans",
}


@dataclass
class Validation:
    rows: list[dict[str, str]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


class UserImportRowForm(forms.Form):
    """One row of the import file."""

    email = forms.EmailField(label=gettext_lazy("e-mail address"), max_length=254)
    full_name = forms.CharField(label=gettext_lazy("full name"), max_length=150)
    preferred_language = forms.CharField(label=gettext_lazy("preferred language"), required=False)

    def clean_email(self) -> str:
        return str(self.cleaned_data["email"]).strip().lower()

    def clean_preferred_language(self) -> str:
        raw = str(self.cleaned_data.get("preferred_language") or "").strip().lower()
        if raw not in LANGUAGE_ALIASES:
            choices = ", ".join(code for code, _label in LANGUAGE_CHOICES)
            raise forms.ValidationError(
                _("Unknown language %(value)s: use one of %(choices)s.")
                % {"value": raw, "choices": choices}
            )
        return LANGUAGE_ALIASES[raw] or settings.LANGUAGE_CODE


def validate_rows(
    rows: list[list[str]], progress: Callable[[int, int], None] | None = None
) -> Validation:
    """Validate every row; duplicates in the file and existing accounts are errors too."""
    positions, data = USERS.table(rows)
    emails = {
        row[positions["email"]].strip().lower() for _n, row in data if positions["email"] < len(row)
    }
    existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True).iterator())
    result = Validation()
    seen: dict[str, int] = {}
    for done, (number, row) in enumerate(data, start=1):
        values = cells_of(row, positions)
        form = UserImportRowForm(data=values)
        valid = form.is_valid()
        result.errors.extend(form_errors(number, form, values))
        # The e-mail is checked against the others even when another column of the row is
        # wrong: every problem of the file in one pass.
        email = form.cleaned_data.get("email")
        if email:
            if email in existing:
                result.errors.append(
                    RowError(
                        number,
                        "email",
                        email,
                        _("An account with this e-mail address already exists."),
                    )
                )
            elif email in seen:
                result.errors.append(
                    RowError(
                        number,
                        "email",
                        email,
                        _("This e-mail address already appears in row %(row)d.")
                        % {"row": seen[email]},
                    )
                )
            else:
                seen[email] = number
                if valid:
                    result.rows.append(form.cleaned_data)
        if progress and (done % PROGRESS_EVERY == 0 or done == len(data)):
            progress(done, len(data))
    return result


@transaction.atomic
def create_accounts(rows: list[dict[str, str]]) -> list[User]:
    """Create the accounts in one transaction; they set a password through the reset link."""
    unusable = make_password(None)
    users = [
        User(
            email=row["email"],
            full_name=row["full_name"],
            preferred_language=row["preferred_language"],
            password=unusable,
        )
        for row in rows
    ]
    return User.objects.bulk_create(users, batch_size=1000)
