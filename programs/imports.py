"""Bulk import of organisations, tutors and students from XLSX or CSV, all or nothing.

The upload is checked at once (type, size, header, at least one row); a job then validates
every row (spreadsheet numbering: the header is row 1), looking existing records up in one
query per kind of record, never one per row. If any row is wrong nothing is saved and the
job offers an error report; otherwise every row is saved in one transaction through the
programs services, which check permissions and rules once more.

File reading, the error report and account creation are the user import's (accounts.imports).
"""

from __future__ import annotations

import io
import zipfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.imports import HEADER_ALIASES as ACCOUNT_HEADER_ALIASES
from accounts.imports import (
    PROGRESS_EVERY,
    ImportFileError,
    RowError,
    UserImportRowForm,
    create_accounts,
    error_report,
    read_table,
)
from accounts.models import User
from accounts.permissions import is_portal_admin
from accounts.services import validate_import_upload
from training_portal.core.jobs import finish_job, register_job_kind, report_progress, start_job
from training_portal.core.models import Job
from training_portal.core.texts import Text, text
from training_portal.core.validation import upload_error

from .design import workflow as workflows
from .models import Organization, Program, Student, TutorProfile
from .partners.permissions import can_create_organization
from .partners.services import partners
from .people.permissions import can_manage_students
from .people.services import people
from .scopes import tutor_organization_ids

__all__ = [
    "KINDS",
    "ORGANIZATIONS",
    "STUDENTS",
    "TUTORS",
    "can_import_tutors",
    "register_job_kinds",
    "run_organization_import",
    "run_student_import",
    "run_tutor_import",
    "start_organization_import",
    "start_student_import",
    "start_tutor_import",
    "template_workbook",
    "validate_organizations",
    "validate_students",
    "validate_tutors",
]

#: What an upload must start with: an XLSX is a zip archive; a CSV is any text.
SIGNATURES = {".xlsx": b"PK\x03\x04", ".csv": b""}
DATE_FORMATS = ["%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"]

Progress = Callable[[int, int], None]


# ---- What each import reads ----------------------------------------------------------------


def _norm(text: str) -> str:
    """Header and choice spellings compare without case, "_", "-", "*" or extra spaces."""
    cleaned = text.strip().lower().replace("_", " ").replace("-", " ").rstrip("*")
    return " ".join(cleaned.split())


#: Other headers each column may have (besides its key), "|"-separated; e-mail, name and
#: language are spelled as in the user import.
_ALIASES = {
    **{
        column: "|".join(alias for alias, key in ACCOUNT_HEADER_ALIASES.items() if key == column)
        for column in ("email", "full_name", "preferred_language")
    },
    "name": "organisation|organization|organisation name|organization name|名称|单位名称",
    "short_name": "abbreviation|简称",
    "kind": "type|tutor kind|类型|类别|导师类型",
    "city": "城市",
    "website": "url|网站|网址",
    "description": "描述|简介",
    "organization": "organisation|institution|所在单位|单位|机构",
    "professional_title": "职称",
    "specialty": "speciality|专业|研究方向",
    "qualifications": "资质|资格",
    "practice_experience": "experience|实践经验",
    "capacity": "max students|指导名额|名额",
    "student_number": "student no|student id|学号",
    "cohort": "year of entry|intake|年级|入学年份",
    "enrolled_on": "enrolment date|enrollment date|enrolled|入学日期",
    "academic_tutor": "academic tutor email|学术导师|校内导师",
    "practice_tutor": "practice tutor email|实践导师|校外导师",
}


@dataclass(frozen=True)
class Column:
    key: str
    help: Promise
    required: bool = False

    @property
    def aliases(self) -> list[str]:
        return [self.key, *filter(None, _ALIASES.get(self.key, "").split("|"))]

    @property
    def chinese(self) -> str:
        """The Chinese header the page suggests next to the English one."""
        return next((alias for alias in self.aliases if not alias.isascii()), "")


@dataclass(frozen=True)
class ImportSpec:
    """One kind of import: its job kind (also its task's name), labels and columns."""

    kind: str
    label: Promise
    title: Promise
    sheet: str
    columns: tuple[Column, ...]

    @property
    def required(self) -> list[str]:
        return [column.key for column in self.columns if column.required]

    @property
    def header_aliases(self) -> dict[str, str]:
        return {_norm(alias): c.key for c in reversed(self.columns) for alias in c.aliases}


_PERSON = (
    Column("email", gettext_lazy("E-mail address (required, one row per person)"), True),
    Column(
        "full_name", gettext_lazy("Full name (required; an existing account keeps its name)"), True
    ),
)
_LANGUAGE = Column("preferred_language", gettext_lazy("Language of a new account: en or zh-hans"))

ORGANIZATIONS = ImportSpec(
    kind="programs.organization_import",
    label=gettext_lazy("Organisation import"),
    title=gettext_lazy("Import organisations"),
    sheet="organisations",
    columns=(
        Column("name", gettext_lazy("Full name of the organisation (required, unique)"), True),
        Column("short_name", gettext_lazy("Short name")),
        Column(
            "kind",
            gettext_lazy(
                "Kind (required): university, hospital, enterprise, research institute, "
                "government body, S&T service intermediary or financial institution, "
                "in English or Chinese"
            ),
            True,
        ),
        Column("city", gettext_lazy("City")),
        Column("website", gettext_lazy("Website address")),
        Column("description", gettext_lazy("Description")),
    ),
)

TUTORS = ImportSpec(
    kind="programs.tutor_import",
    label=gettext_lazy("Tutor import"),
    title=gettext_lazy("Import tutors"),
    sheet="tutors",
    columns=(
        *_PERSON,
        Column(
            "kind", gettext_lazy("academic or practice, in English or Chinese (required)"), True
        ),
        Column(
            "organization", gettext_lazy("Organisation, by its name or short name (required)"), True
        ),
        Column("professional_title", gettext_lazy("Professional title")),
        Column("specialty", gettext_lazy("Specialty")),
        Column("qualifications", gettext_lazy("Qualifications")),
        Column("practice_experience", gettext_lazy("Practice experience")),
        Column("capacity", gettext_lazy("Most students at a time, 1 to 100 (default 6)")),
        _LANGUAGE,
    ),
)

STUDENTS = ImportSpec(
    kind="programs.student_import",
    label=gettext_lazy("Student import"),
    title=gettext_lazy("Import students"),
    sheet="students",
    columns=(
        *_PERSON,
        Column("student_number", gettext_lazy("Student number (required, unique)"), True),
        Column("cohort", gettext_lazy("Cohort: year of entry, e.g. 2025 (required)"), True),
        Column(
            "enrolled_on",
            gettext_lazy("Enrolment date, YYYY-MM-DD or a date cell (required)"),
            True,
        ),
        Column("academic_tutor", gettext_lazy("E-mail address of the academic tutor")),
        Column("practice_tutor", gettext_lazy("E-mail address of a practice tutor")),
        _LANGUAGE,
    ),
)

KINDS = (ORGANIZATIONS, TUTORS, STUDENTS)


def register_job_kinds() -> None:
    for spec in KINDS:
        register_job_kind(spec.kind, task_name=spec.kind, label=spec.label)


# ---- Who may import ------------------------------------------------------------------------


def tutor_organizations(user: Any) -> QuerySet[Organization]:
    """Organisations `user` may add tutors to (`create_tutor` checks again for every row)."""
    return Organization.objects.filter(pk__in=tutor_organization_ids(user))


def can_import_tutors(user: Any) -> bool:
    return is_portal_admin(user) or tutor_organizations(user).exists()


# ---- The table: header, rows, row forms ----------------------------------------------------


@dataclass
class Row:
    """One valid-looking row: its number, the cells as written, the cleaned values, and the
    records its cells name (organisation, tutors), found while validating."""

    number: int
    raw: dict[str, str]
    data: dict[str, Any]
    resolved: dict[str, Any] = field(default_factory=dict)


@dataclass
class Checked:
    rows: list[Row] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    def fail(self, row: Row, column: str, message: str) -> None:
        self.errors.append(RowError(row.number, column, row.raw.get(column, ""), message))


def _header(header: list[str], spec: ImportSpec) -> dict[str, int]:
    aliases = spec.header_aliases
    positions: dict[str, int] = {}
    for index, title in enumerate(header):
        column = aliases.get(_norm(title))
        if column and column not in positions:
            positions[column] = index
    missing = [column for column in spec.required if column not in positions]
    if missing:
        raise ImportFileError(
            text(
                "import.missing_columns",
                count=len(missing),
                columns=", ".join(missing),
                expected=", ".join(column.key for column in spec.columns),
            )
        )
    return positions


def _table(
    rows: list[list[str]], spec: ImportSpec
) -> tuple[dict[str, int], list[tuple[int, list[str]]]]:
    """The column positions and the non-empty data rows with their numbers."""
    if not any(any(row) for row in rows):
        raise ImportFileError(text("import.empty"))
    positions = _header(rows[0], spec)
    data = [(number, row) for number, row in enumerate(rows[1:], start=2) if any(row)]
    if not data:
        raise ImportFileError(text("import.header_only"))
    if len(data) > settings.IMPORT_MAX_ROWS:
        raise ImportFileError(
            text("import.too_many_rows", count=len(data), max=settings.IMPORT_MAX_ROWS)
        )
    return positions, data


def _parse(
    table: list[list[str]],
    spec: ImportSpec,
    form_class: type[forms.Form],
    progress: Progress | None,
) -> Checked:
    """Each row through its form; rows with an error are reported, the others kept."""
    positions, data = _table(table, spec)
    checked = Checked()
    for done, (number, cells) in enumerate(data, start=1):
        raw = {
            key: (cells[index] if index < len(cells) else "") for key, index in positions.items()
        }
        form = form_class(data=raw)
        if form.is_valid():
            checked.rows.append(Row(number, raw, form.cleaned_data))
        else:
            for column, messages in form.errors.items():
                for message in messages:
                    checked.errors.append(
                        RowError(number, column, raw.get(column, ""), str(message))
                    )
        if progress and (done % PROGRESS_EVERY == 0 or done == len(data)):
            progress(done, len(data))
    return checked


@cache
def _choice_aliases(choices: type[models.TextChoices]) -> dict[str, str]:
    """Each value by itself and by its label in every language of the portal."""
    aliases: dict[str, str] = {}
    for value, label in zip(choices.values, choices.labels, strict=True):
        aliases[_norm(value)] = value
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                aliases.setdefault(_norm(str(label)), value)
    return aliases


def _choice(raw: str, choices: type[models.TextChoices]) -> str:
    value = _choice_aliases(choices).get(_norm(raw))
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


def _first_seen(
    checked: Checked, rows: Iterable[Row], key: Callable[[Row], str], column: str, message: str
) -> list[Row]:
    """Rows whose `key` has not appeared above; the others are errors naming the first row."""
    seen: dict[str, int] = {}
    kept = []
    for row in rows:
        value = key(row)
        if value in seen:
            checked.fail(row, column, message % {"row": seen[value]})
        else:
            seen[value] = row.number
            kept.append(row)
    return kept


def _lower_in(rows: QuerySet[Any], path: str, values: Iterable[str]) -> QuerySet[Any]:
    """`rows` whose `path` is among `values`, ignoring case (as the e-mail index does)."""
    return rows.annotate(_key=Lower(path)).filter(_key__in=list(values))


# ---- Validation of each kind ---------------------------------------------------------------

_REPEATED_EMAIL = gettext_lazy("This e-mail address already appears in row %(row)d.")


def validate_organizations(
    table: list[list[str]], *, user: User, progress: Progress | None = None
) -> Checked:
    """Rows of new organisations; a name already registered (in any case) is an error."""
    checked = _parse(table, ORGANIZATIONS, OrganizationRowForm, progress)
    rows = _first_seen(
        checked,
        checked.rows,
        lambda row: row.data["name"].lower(),
        "name",
        _("This organisation already appears in row %(row)d."),
    )
    existing = set(
        _lower_in(Organization.objects.all(), "name", (row.data["name"].lower() for row in rows))
        .values_list("_key", flat=True)
        .iterator()
    )
    checked.rows = []
    for row in rows:
        if row.data["name"].lower() in existing:
            checked.fail(row, "name", _("An organisation with this name is already registered."))
        else:
            checked.rows.append(row)
    return checked


def validate_tutors(
    table: list[list[str]], *, user: User, progress: Progress | None = None
) -> Checked:
    """Rows of new tutors at organisations the user may add tutors to."""
    checked = _parse(table, TUTORS, TutorRowForm, progress)
    rows = _first_seen(
        checked, checked.rows, lambda row: row.data["email"], "email", str(_REPEATED_EMAIL)
    )
    emails = [row.data["email"] for row in rows]
    profiled = set(
        _lower_in(TutorProfile.objects.all(), "user__email", emails)
        .values_list("_key", flat=True)
        .iterator()
    )
    named = {row.data["organization"] for row in rows}
    found = list(
        Organization.objects.annotate(name_ci=Lower("name"), short_ci=Lower("short_name")).filter(
            Q(name_ci__in=named) | Q(short_ci__in=named)
        )
    )
    allowed = set(
        tutor_organizations(user)
        .filter(pk__in=[organization.pk for organization in found])
        .values_list("pk", flat=True)
    )
    by_name = {organization.name_ci: organization for organization in found}
    by_short: dict[str, list[Organization]] = defaultdict(list)
    for organization in found:
        if organization.short_name:
            by_short[organization.short_ci].append(organization)
    checked.rows = []
    for row in rows:
        wrong = len(checked.errors)
        if row.data["email"] in profiled:
            checked.fail(row, "email", _("This person already has a tutor profile."))
        key = row.data["organization"]
        candidates = [by_name[key]] if key in by_name else by_short.get(key, [])
        if not candidates:
            checked.fail(row, "organization", _("No organisation has this name or short name."))
        elif len(candidates) > 1:
            checked.fail(
                row,
                "organization",
                _("Several organisations have this short name; write the full name."),
            )
        elif candidates[0].pk not in allowed:
            checked.fail(
                row,
                "organization",
                _("You may not add tutors to %(organization)s.")
                % {"organization": candidates[0].name},
            )
        if len(checked.errors) == wrong:
            row.resolved["organization"] = candidates[0]
            checked.rows.append(row)
    return checked


#: The tutor columns of the student import and the role each assigns.
_TUTOR_COLUMNS = {
    "academic_tutor": TutorProfile.Kind.ACADEMIC,
    "practice_tutor": TutorProfile.Kind.PRACTICE,
}


#: Why the program's status refuses new students, as catalogued texts (the job stores the id,
#: the reader reads the sentence of `workflows.refusal` in their language).
ENROL_REFUSALS: dict[str, str] = {
    Program.Status.DRAFT: "import.program_draft",
    Program.Status.CLOSED: "import.program_closed",
}


def validate_students(
    table: list[list[str]],
    *,
    user: User,
    program: Program,
    progress: Progress | None = None,
) -> Checked:
    """Rows of new students of the program, with tutors the user may assign within capacity."""
    if not workflows.allows(program, "enrol"):
        raise ImportFileError(text(ENROL_REFUSALS[program.status]))
    checked = _parse(table, STUDENTS, StudentRowForm, progress)
    rows = _first_seen(
        checked, checked.rows, lambda row: row.data["email"], "email", str(_REPEATED_EMAIL)
    )
    rows = _first_seen(
        checked,
        rows,
        lambda row: row.data["student_number"],
        "student_number",
        _("This student number already appears in row %(row)d."),
    )
    enrolled = set(
        _lower_in(Student.objects.all(), "user__email", (row.data["email"] for row in rows))
        .values_list("_key", flat=True)
        .iterator()
    )
    numbers_taken = set(
        Student.objects.filter(student_number__in=[row.data["student_number"] for row in rows])
        .values_list("student_number", flat=True)
        .iterator()
    )
    tutor_emails = {row.data[c] for row in rows for c in _TUTOR_COLUMNS if row.data[c]}
    tutors = {
        tutor._key: tutor
        for tutor in _lower_in(
            TutorProfile.objects.visible_to(user).with_load().select_related("user"),
            "user__email",
            tutor_emails,
        )
    }
    planned: Counter[int] = Counter()
    checked.rows = []
    for row in rows:
        wrong = len(checked.errors)
        if row.data["email"] in enrolled:
            checked.fail(row, "email", _("This person is already enrolled as a student."))
        if row.data["student_number"] in numbers_taken:
            checked.fail(row, "student_number", _("This student number is already in use."))
        for column, role in _TUTOR_COLUMNS.items():
            if row.data[column]:
                _check_tutor(checked, row, column, role, tutors.get(row.data[column]), planned)
        if len(checked.errors) == wrong:
            checked.rows.append(row)
    return checked


def _check_tutor(
    checked: Checked,
    row: Row,
    column: str,
    role: str,
    tutor: TutorProfile | None,
    planned: Counter[int],
) -> None:
    """The tutor exists for the user, is of the right kind, takes students and has room."""
    if tutor is None:
        checked.fail(row, column, _("No tutor you may assign has this e-mail address."))
        return
    if tutor.kind != role:
        checked.fail(
            row,
            column,
            _("%(tutor)s is a tutor of another kind (%(kind)s).")
            % {"tutor": tutor, "kind": tutor.get_kind_display()},
        )
        return
    if not tutor.is_active:
        checked.fail(row, column, _("%(tutor)s no longer takes students.") % {"tutor": tutor})
        return
    planned[tutor.pk] += 1
    load = int(tutor.active_students)  # type: ignore[attr-defined]  # annotated by with_load()
    if load + planned[tutor.pk] > tutor.capacity:
        checked.fail(
            row,
            column,
            _(
                "%(tutor)s would have more students than their capacity of %(capacity)d "
                "(%(load)d now); an import cannot exceed a capacity."
            )
            % {"tutor": tutor, "capacity": tutor.capacity, "load": load},
        )
        return
    row.resolved[column] = tutor


# ---- Saving --------------------------------------------------------------------------------


def _row_errors(row: Row, exc: ValidationError, aliases: dict[str, str]) -> list[RowError]:
    """A service's field errors, on the columns they concern."""
    found = exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
    errors: list[RowError] = []
    for name, messages in found.items():
        column = aliases.get(name, name)
        column = column if column in row.raw else ""
        errors.extend(RowError(row.number, column, row.raw.get(column, ""), m) for m in messages)
    return errors


def _accounts(rows: list[Row]) -> tuple[dict[str, User], int]:
    """Each row's account by e-mail: the existing one, or a new one (without password)."""
    emails = [row.data["email"] for row in rows]
    accounts: dict[str, User] = {
        user._key: user for user in _lower_in(User.objects.all(), "email", emails)
    }
    missing = [
        {key: row.data[key] for key in ("email", "full_name", "preferred_language")}
        for row in rows
        if row.data["email"] not in accounts
    ]
    created = create_accounts(missing)
    accounts.update((user.email, user) for user in created)
    return accounts, len(created)


@dataclass
class Saved:
    errors: list[RowError] = field(default_factory=list)
    message: Text | str = ""
    result: dict[str, Any] = field(default_factory=dict)


def _save_organizations(rows: list[Row], *, user: User) -> Saved:
    saved = Saved()
    ids = []
    for row in rows:
        try:
            ids.append(partners.create_organization(user=user, **row.data).pk)
        except ValidationError as exc:
            saved.errors.extend(_row_errors(row, exc, {}))
    saved.message = text("import.organizations_created", count=len(ids))
    saved.result = {"created": len(ids), "organization_ids": ids[:1000]}
    return saved


def _save_tutors(rows: list[Row], *, user: User) -> Saved:
    saved = Saved()
    accounts, new_accounts = _accounts(rows)
    ids = []
    for row in rows:
        data = row.data
        try:
            tutor = people.create_tutor(
                user=user,
                tutor_user=accounts[data["email"]],
                kind=data["kind"],
                organization=row.resolved["organization"],
                capacity=data["capacity"],
                professional_title=data["professional_title"],
                specialty=data["specialty"],
                qualifications=data["qualifications"],
                practice_experience=data["practice_experience"],
            )
        except ValidationError as exc:
            saved.errors.extend(_row_errors(row, exc, {"tutor_user": "email"}))
        else:
            ids.append(tutor.pk)
    saved.message = text("import.tutors_created", count=len(ids))
    saved.result = {"created": len(ids), "accounts_created": new_accounts, "tutor_ids": ids[:1000]}
    return saved


def _save_students(rows: list[Row], *, user: User, program: Program) -> Saved:
    saved = Saved()
    accounts, new_accounts = _accounts(rows)
    ids = []
    for row in rows:
        data = row.data
        try:
            student = people.enrol_student(
                user=user,
                student_user=accounts[data["email"]],
                program=program,
                student_number=data["student_number"],
                cohort=data["cohort"],
                enrolled_on=data["enrolled_on"],
            )
        except ValidationError as exc:
            saved.errors.extend(_row_errors(row, exc, {"student_user": "email"}))
            continue
        ids.append(student.pk)
        for column, role in _TUTOR_COLUMNS.items():
            if column not in row.resolved:
                continue
            try:
                # No over-capacity reason: an import never exceeds a capacity.
                people.assign_tutor(
                    user=user, student=student, tutor=row.resolved[column], role=role
                )
            except ValidationError as exc:
                aliases = {"tutor": column, "role": column, "over_capacity_reason": column}
                saved.errors.extend(_row_errors(row, exc, aliases))
    saved.message = text("import.students_enrolled", count=len(ids))
    saved.result = {
        "created": len(ids),
        "accounts_created": new_accounts,
        "program": program.pk,
        "student_ids": ids[:1000],
    }
    return saved


# ---- Starting and running the jobs ---------------------------------------------------------


def template_workbook(spec: ImportSpec) -> bytes:
    """An XLSX whose first row names the columns, for users to fill in."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = spec.sheet
    sheet.append([column.key for column in spec.columns])
    for index, column in enumerate(spec.columns, start=1):
        sheet.cell(row=1, column=index).font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(index)].width = max(14, len(column.key) + 4)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _peek(data: bytes, filename: str) -> list[list[str]]:
    """The header and the first data row of an XLSX without reading all of it; a whole CSV."""
    if not filename.lower().endswith(".xlsx"):
        return read_table(data, filename)
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ImportFileError(text("import.unreadable_xlsx")) from exc
    rows: list[list[str]] = []
    try:
        for values in workbook.worksheets[0].iter_rows(values_only=True):
            row = ["" if cell is None else str(cell).strip() for cell in values]
            if rows and any(row):
                return [*rows, row]
            rows.append(row)
    finally:
        workbook.close()
    return rows


def check_upload(upload: UploadedFile, spec: ImportSpec) -> None:
    """Refuse at once what is not a usable file: type, size, emptiness, header."""
    validate_import_upload(upload)
    wrong = upload_error(
        upload, signatures=SIGNATURES, wrong_type=_("Upload an .xlsx or .csv file.")
    )
    if wrong:
        raise ImportFileError(wrong)
    data = upload.read()
    upload.seek(0)
    _table(_peek(data, upload.name or ""), spec)


def _start(spec: ImportSpec, *, user: User, upload: UploadedFile, **params: Any) -> Job:
    try:
        check_upload(upload, spec)
    except ImportFileError as exc:
        raise ValidationError({"file": [str(exc)]}) from exc
    return start_job(
        kind=spec.kind,
        owner=user,
        params=params,
        input_file=upload,
        input_name=upload.name or "import",
    )


def start_organization_import(*, user: User, upload: UploadedFile) -> Job:
    """Queue an import of organisations."""
    if not can_create_organization(user):
        raise PermissionDenied
    return _start(ORGANIZATIONS, user=user, upload=upload)


def start_tutor_import(*, user: User, upload: UploadedFile) -> Job:
    """Queue an import of tutors (and of their accounts where missing)."""
    if not can_import_tutors(user):
        raise PermissionDenied
    return _start(TUTORS, user=user, upload=upload)


def start_student_import(*, user: User, program: Program, upload: UploadedFile) -> Job:
    """Queue an import of students of `program` (and of their accounts where missing)."""
    if not can_manage_students(user, program):
        raise PermissionDenied
    if not workflows.allows(program, "enrol"):
        raise ValidationError({"file": [workflows.refusal(program, "enrol")]})
    return _start(STUDENTS, user=user, upload=upload, program=program.pk)


def _run(
    job: Job,
    validate: Callable[[list[list[str]], Progress], Checked],
    save: Callable[[list[Row]], Saved],
) -> None:
    """Validate every row; save all of them in one transaction, or none and report why."""
    report_progress(job, done=0, total=0, message=text("job.reading_file"))
    with job.input_file.open("rb") as handle:
        data = handle.read()
    try:
        checked = validate(
            read_table(data, job.input_name or str(job.input_file.name)),
            lambda done, total: report_progress(
                job, done=done, total=total, message=text("job.checking_rows")
            ),
        )
    except ImportFileError as exc:
        finish_job(job, succeeded=False, error=exc.message)
        return
    report_progress(job, done=job.progress_done, message=text("job.saving"))
    try:
        with transaction.atomic():
            # The valid rows are saved (and rolled back) even when other rows are wrong, so
            # that the services' own refusals of them are listed in the same pass.
            saved = save(checked.rows)
            errors = [*checked.errors, *saved.errors]
            # Only the attempt that still owns the job commits (see finish_job).
            if errors or not finish_job(
                job, succeeded=True, message=saved.message, result=saved.result
            ):
                transaction.set_rollback(True)
    except PermissionDenied:
        finish_job(
            job,
            succeeded=False,
            error=text("import.not_allowed"),
        )
        return
    if errors:
        _fail(job, errors)


def _fail(job: Job, errors: list[RowError]) -> None:
    bad_rows = sorted({error.row for error in errors})
    finish_job(
        job,
        succeeded=False,
        error=text("import.rows_have_errors", count=len(bad_rows)),
        result={
            "created": 0,
            "bad_rows": bad_rows,
            "errors": [error.__dict__ for error in errors[:500]],
            "error_count": len(errors),
        },
        result_file=("import-errors.csv", error_report(errors)),
    )


def _owner(job: Job) -> User | None:
    if job.owner is None or not job.owner.is_active:
        finish_job(job, succeeded=False, error=text("import.owner_gone"))
        return None
    return job.owner


def run_organization_import(job: Job) -> None:
    """The body of the organisation import job."""
    if (user := _owner(job)) is None:
        return
    _run(
        job,
        lambda table, progress: validate_organizations(table, user=user, progress=progress),
        lambda rows: _save_organizations(rows, user=user),
    )


def run_tutor_import(job: Job) -> None:
    """The body of the tutor import job."""
    if (user := _owner(job)) is None:
        return
    _run(
        job,
        lambda table, progress: validate_tutors(table, user=user, progress=progress),
        lambda rows: _save_tutors(rows, user=user),
    )


def run_student_import(job: Job) -> None:
    """The body of the student import job."""
    if (user := _owner(job)) is None:
        return
    program = Program.objects.filter(pk=job.params.get("program")).first()
    if program is None:
        finish_job(job, succeeded=False, error=text("import.program_gone"))
        return
    _run(
        job,
        lambda table, progress: validate_students(
            table, user=user, program=program, progress=progress
        ),
        lambda rows: _save_students(rows, user=user, program=program),
    )
