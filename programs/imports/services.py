"""Bulk import of organisations, tutors and students from XLSX or CSV, all or nothing.

The upload is checked at once (type, size, header, at least one row); a job then validates
every row (spreadsheet numbering: the header is row 1, see `validation`). If any row is wrong
nothing is saved and the job offers an error report; otherwise every row is saved in one
transaction through the programs services, which check permissions and rules once more.

File reading and the error report are the tables kit's (training_portal.core.tables);
account creation is the user import's (accounts.imports).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from accounts.imports import create_accounts
from accounts.models import User
from training_portal.core.jobs import finish_job, report_progress, start_job
from training_portal.core.models import Job
from training_portal.core.tables import (
    Checked,
    ImportFileError,
    ImportSpec,
    Progress,
    Row,
    RowError,
    check_upload,
    fail_with_row_errors,
    read_table,
)
from training_portal.core.texts import Text, text

from ..design import workflow as workflows
from ..models import Program
from ..partners.permissions import can_create_organization
from ..partners.services import partners
from ..people.permissions import can_manage_students
from ..people.services import people
from .permissions import can_import_tutors
from .specs import ORGANIZATIONS, STUDENTS, TUTORS
from .validation import (
    TUTOR_COLUMNS,
    lower_in,
    validate_organizations,
    validate_students,
    validate_tutors,
)


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
        user._key: user for user in lower_in(User.objects.all(), "email", emails)
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


def _created_ids(
    rows: list[Row], saved: Saved, create: Callable[[Row], Any], aliases: dict[str, str]
) -> list[int]:
    """The ids of the records `create` makes from the rows; a row the service refuses adds
    its errors (on the columns `aliases` names for the service's fields) to `saved`."""
    ids: list[int] = []
    for row in rows:
        try:
            ids.append(create(row).pk)
        except ValidationError as exc:
            saved.errors.extend(_row_errors(row, exc, aliases))
    return ids


def _save_organizations(rows: list[Row], *, user: User) -> Saved:
    saved = Saved()
    ids = _created_ids(
        rows, saved, lambda row: partners.create_organization(user=user, **row.data), {}
    )
    saved.message = text("import.organizations_created", count=len(ids))
    saved.result = {"created": len(ids), "organization_ids": ids[:1000]}
    return saved


def _save_tutors(rows: list[Row], *, user: User) -> Saved:
    saved = Saved()
    accounts, new_accounts = _accounts(rows)

    def create(row: Row) -> Any:
        data = row.data
        return people.create_tutor(
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

    ids = _created_ids(rows, saved, create, {"tutor_user": "email"})
    saved.message = text("import.tutors_created", count=len(ids))
    saved.result = {"created": len(ids), "accounts_created": new_accounts, "tutor_ids": ids[:1000]}
    return saved


def _save_students(rows: list[Row], *, user: User, program: Program) -> Saved:
    saved = Saved()
    accounts, new_accounts = _accounts(rows)

    def enrol(row: Row) -> Any:
        """The row's student, with the tutors it names (a refused tutor adds its errors)."""
        data = row.data
        student = people.enrol_student(
            user=user,
            student_user=accounts[data["email"]],
            program=program,
            student_number=data["student_number"],
            cohort=data["cohort"],
            enrolled_on=data["enrolled_on"],
        )
        for column, role in TUTOR_COLUMNS.items():
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
        return student

    ids = _created_ids(rows, saved, enrol, {"student_user": "email"})
    saved.message = text("import.students_enrolled", count=len(ids))
    saved.result = {
        "created": len(ids),
        "accounts_created": new_accounts,
        "program": program.pk,
        "student_ids": ids[:1000],
    }
    return saved


# ---- Starting and running the jobs ---------------------------------------------------------


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
        fail_with_row_errors(job, errors)


def _owner(job: Job) -> User | None:
    if job.owner is None or not job.owner.is_active:
        finish_job(job, succeeded=False, error=text("import.owner_gone"))
        return None
    return job.owner


def _run_as_owner(job: Job, validate: Callable[..., Checked], save: Callable[..., Saved]) -> None:
    """Run an import whose rows are checked and saved on behalf of the job's owner."""
    if (user := _owner(job)) is None:
        return
    _run(
        job,
        lambda table, progress: validate(table, user=user, progress=progress),
        lambda rows: save(rows, user=user),
    )


def run_organization_import(job: Job) -> None:
    """The body of the organisation import job."""
    _run_as_owner(job, validate_organizations, _save_organizations)


def run_tutor_import(job: Job) -> None:
    """The body of the tutor import job."""
    _run_as_owner(job, validate_tutors, _save_tutors)


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
