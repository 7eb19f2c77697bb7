"""Validation of each kind of import, row by row, looking existing records up in one query
per kind of record, never one per row."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import Q, QuerySet
from django.db.models.functions import Lower
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from training_portal.core.tables import Checked, ImportFileError, Progress, Row, parse_rows
from training_portal.core.texts import text

from ..design import workflow as workflows
from ..models import Organization, Program, Student, TutorProfile
from .forms import OrganizationRowForm, StudentRowForm, TutorRowForm
from .permissions import tutor_organizations
from .specs import ORGANIZATIONS, STUDENTS, TUTORS


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


def lower_in(rows: QuerySet[Any], path: str, values: Iterable[str]) -> QuerySet[Any]:
    """`rows` whose `path` is among `values`, ignoring case (as the e-mail index does)."""
    return rows.annotate(_key=Lower(path)).filter(_key__in=list(values))


_REPEATED_EMAIL = gettext_lazy("This e-mail address already appears in row %(row)d.")


def validate_organizations(
    table: list[list[str]], *, user: User, progress: Progress | None = None
) -> Checked:
    """Rows of new organisations; a name already registered (in any case) is an error."""
    checked = parse_rows(table, ORGANIZATIONS, OrganizationRowForm, progress)
    rows = _first_seen(
        checked,
        checked.rows,
        lambda row: row.data["name"].lower(),
        "name",
        _("This organisation already appears in row %(row)d."),
    )
    existing = set(
        lower_in(Organization.objects.all(), "name", (row.data["name"].lower() for row in rows))
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
    checked = parse_rows(table, TUTORS, TutorRowForm, progress)
    rows = _first_seen(
        checked, checked.rows, lambda row: row.data["email"], "email", str(_REPEATED_EMAIL)
    )
    emails = [row.data["email"] for row in rows]
    profiled = set(
        lower_in(TutorProfile.objects.all(), "user__email", emails)
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
TUTOR_COLUMNS = {
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
    checked = parse_rows(table, STUDENTS, StudentRowForm, progress)
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
        lower_in(Student.objects.all(), "user__email", (row.data["email"] for row in rows))
        .values_list("_key", flat=True)
        .iterator()
    )
    numbers_taken = set(
        Student.objects.filter(student_number__in=[row.data["student_number"] for row in rows])
        .values_list("student_number", flat=True)
        .iterator()
    )
    tutor_emails = {row.data[c] for row in rows for c in TUTOR_COLUMNS if row.data[c]}
    tutors = {
        tutor._key: tutor
        for tutor in lower_in(
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
        for column, role in TUTOR_COLUMNS.items():
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
