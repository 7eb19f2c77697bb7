"""Bulk import of user accounts from XLSX or CSV, all or nothing.

Every row is validated first (with spreadsheet row numbers: the header is row 1); if any
row is wrong nothing is created and the job offers an error report listing every bad row.
CSV files may be UTF-8 (with or without BOM) or GB18030.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from training_portal.core.texts import Text, text

from .models import LANGUAGE_CHOICES, User

COLUMNS = ("email", "full_name", "preferred_language")
REQUIRED_COLUMNS = ("email", "full_name")
HEADER_ALIASES: dict[str, str] = {
    "email": "email",
    "e-mail": "email",
    "e-mail address": "email",
    "email address": "email",
    "邮箱": "email",
    "电子邮箱": "email",
    "电子邮件": "email",
    "full_name": "full_name",
    "full name": "full_name",
    "name": "full_name",
    "姓名": "full_name",
    "preferred_language": "preferred_language",
    "preferred language": "preferred_language",
    "language": "preferred_language",
    "语言": "preferred_language",
    "首选语言": "preferred_language",
}
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
ACCEPTED_EXTENSIONS = (".csv", ".xlsx")
PROGRESS_EVERY = 200


class ImportFileError(Exception):
    """The file as a whole cannot be read (format, encoding, header, size).

    Its message is a `Text` (a catalogued id and parameters: a job stores those and each reader
    reads it in their own language), or a sentence already in the language of the request
    that checked the upload. `str()` renders it in the active language."""

    def __init__(self, message: Text | str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


@dataclass
class RowError:
    row: int
    column: str
    value: str
    message: str


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


def decode_csv(data: bytes) -> str:
    """UTF-8 with or without BOM, else GB18030 (which also covers GBK and GB2312)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise ImportFileError(text("import.not_text")) from exc


def read_table(data: bytes, filename: str) -> list[list[str]]:
    """All rows of the first sheet (XLSX) or of the CSV file, as strings."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        return _read_xlsx(data)
    if name.endswith(".csv"):
        content = decode_csv(data)
        try:
            dialect: Any = csv.Sniffer().sniff(content[:4096], delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        rows = csv.reader(io.StringIO(content), dialect)
        return [[cell.strip() for cell in row] for row in rows]
    raise ImportFileError(text("import.wrong_type"))


def _read_xlsx(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ImportFileError(text("import.unreadable_xlsx")) from exc
    try:
        sheet = workbook.worksheets[0]
        return [
            ["" if cell is None else str(cell).strip() for cell in row]
            for row in sheet.iter_rows(values_only=True)
        ]
    finally:
        workbook.close()


def map_header(header: list[str]) -> dict[str, int]:
    """Column name -> index; raises ImportFileError when a required column is missing."""
    positions: dict[str, int] = {}
    for index, title in enumerate(header):
        column = HEADER_ALIASES.get(title.strip().lower())
        if column and column not in positions:
            positions[column] = index
    missing = [column for column in REQUIRED_COLUMNS if column not in positions]
    if missing:
        raise ImportFileError(
            text(
                "import.missing_columns",
                count=len(missing),
                columns=", ".join(missing),
                expected=", ".join(COLUMNS),
            )
        )
    return positions


def _data_rows(rows: list[list[str]]) -> Iterator[tuple[int, list[str]]]:
    for number, row in enumerate(rows[1:], start=2):
        if any(cell for cell in row):
            yield number, row


def validate_rows(
    rows: list[list[str]], progress: Callable[[int, int], None] | None = None
) -> Validation:
    """Validate every row; duplicates in the file and existing accounts are errors too."""
    if not rows:
        raise ImportFileError(text("import.empty"))
    positions = map_header(rows[0])
    data = list(_data_rows(rows))
    if not data:
        raise ImportFileError(text("import.header_only"))
    if len(data) > settings.IMPORT_MAX_ROWS:
        raise ImportFileError(
            text("import.too_many_rows", count=len(data), max=settings.IMPORT_MAX_ROWS)
        )
    emails = {
        row[positions["email"]].strip().lower() for _n, row in data if positions["email"] < len(row)
    }
    existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True).iterator())
    result = Validation()
    seen: dict[str, int] = {}
    for done, (number, row) in enumerate(data, start=1):
        values = {
            column: (row[index] if index < len(row) else "") for column, index in positions.items()
        }
        form = UserImportRowForm(data=values)
        valid = form.is_valid()
        for column, messages in form.errors.items():
            for message in messages:
                result.errors.append(RowError(number, column, values.get(column, ""), str(message)))
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


def template_workbook() -> bytes:
    """An XLSX with the expected header and one example row, for users to fill in."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "users"
    sheet.append(list(COLUMNS))
    sheet.append(["wang.fang@example.edu.cn", "王芳", "zh-hans"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _neutralise(value: str) -> str:
    # A cell starting with = + - @ would be run as a formula by spreadsheet programs.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def error_report(errors: list[RowError]) -> ContentFile[bytes]:
    """CSV (UTF-8 with BOM, so that Excel shows Chinese) listing every bad row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_("Row"), _("Column"), _("Value"), _("Problem")])
    for error in errors:
        writer.writerow(
            [error.row, error.column, _neutralise(error.value), _neutralise(str(error.message))]
        )
    return ContentFile(("\ufeff" + buffer.getvalue()).encode("utf-8"))
