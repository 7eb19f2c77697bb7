"""Reports: requested by whoever may see their subject, made by a background job.

`request_report` checks the right and the inputs and starts the job (its task is enqueued
once the transaction commits); the job's task calls `run_report_job`, which reads the
inputs in one snapshot (REPEATABLE READ, read only, on PostgreSQL), records when they were
read and the SHA-256 hash of their canonical content, and writes the PDF, XLSX and CSV,
reporting its progress as it goes. Everything is made in the requester's language.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import re
from collections.abc import Callable, Iterator
from typing import TypedDict, Unpack

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from programs.models import Organization, Program, Student
from training_portal.core import jobs
from training_portal.core.models import Job
from training_portal.core.texts import Text, text

from ..models import Report
from . import builders, permissions, render

logger = logging.getLogger(__name__)

JOB_KIND = "evaluation.report"
JOB_TASK = "evaluation.generate_report"
JOB_LABEL = gettext_lazy("Report")


class ReportSubject(TypedDict, total=False):
    """What a report is about, as `request_report` takes it (which fields count depends on
    the kind)."""

    program: Program | None
    organization: Organization | None
    student: Student | None
    year: int | None


def report_link(job: Job, user: User) -> tuple[str, str] | None:
    """The job page's link to the report the job made, if `user` may see it (one query)."""
    pk = Report.objects.visible_to(user).filter(job=job).values_list("pk", flat=True).first()
    if pk is None:
        return None
    return _("Open the report"), reverse("reports:report-detail", args=[pk])


FIRST_YEAR = 2000

#: The steps of a report's job, for its progress bar.
STEPS = 5


@transaction.atomic
def request_report(
    *,
    user: User,
    kind: str,
    program: Program | None = None,
    organization: Organization | None = None,
    student: Student | None = None,
    year: int | None = None,
    language: str | None = None,
) -> Report:
    """Start a report of `kind` about its subject; ValidationError with field errors when an
    input is missing or wrong, PermissionDenied when `user` may not see the subject."""
    errors: dict[str, str] = {}
    if kind not in Report.Kind.values:
        raise ValidationError({"kind": _("Choose a kind of report.")})
    if kind == Report.Kind.PROGRAM_ANNUAL:
        if program is None:
            errors["program"] = _("Choose a program.")
        if year is None:
            errors["year"] = _("Give the year of the report.")
        elif not FIRST_YEAR <= year <= timezone.localdate().year:
            errors["year"] = _("The year must lie between %(first)s and this year.") % {
                "first": FIRST_YEAR
            }
        organization = student = None
    elif kind == Report.Kind.PARTNER_SCORECARD:
        if organization is None:
            errors["organization"] = _("Choose an organisation.")
        program = student = None
        year = None
    else:
        if student is None:
            errors["student"] = _("Choose a student.")
        program = organization = None
        year = None
    if errors:
        raise ValidationError(errors)
    if not permissions.can_request_report(
        user, kind=kind, program=program, organization=organization, student=student
    ):
        raise PermissionDenied
    job = jobs.start_job(kind=JOB_KIND, owner=user, params={"report_kind": kind})
    return Report.objects.create(
        kind=kind,
        program=program,
        organization=organization,
        student=student,
        year=year,
        language=language or user.preferred_language or translation.get_language() or "en",
        job=job,
        requested_by=user,
    )


@contextlib.contextmanager
def input_snapshot() -> Iterator[dt.datetime]:
    """One transaction in which every read sees the same data; yields when it was taken.

    On PostgreSQL, outside any transaction, REPEATABLE READ READ ONLY: the snapshot is taken
    by the first statement, which also reads the time. Inside an enclosing transaction (the
    tests) its snapshot is used as it is."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                if outermost:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                cursor.execute("SELECT now()")
                as_of = cursor.fetchone()[0]
        else:
            as_of = timezone.now()
        yield as_of


def build(report: Report) -> builders.ReportData:
    """The data of `report`, in the current language."""
    if report.kind == Report.Kind.PROGRAM_ANNUAL:
        assert report.program is not None and report.year is not None
        return builders.program_annual(report.program, report.year)
    if report.kind == Report.Kind.PARTNER_SCORECARD:
        assert report.organization is not None
        return builders.partner_scorecard(report.organization)
    assert report.student is not None
    return builders.student_record(report.student)


def read_inputs(report: Report) -> tuple[builders.ReportData, dt.datetime]:
    with input_snapshot() as as_of:
        data = build(report)
    return data, as_of


def generate_report(
    report: Report, *, progress: Callable[[int, Text], None] | None = None
) -> Report:
    """Read the inputs, make the three files and store them on `report`, in its language.

    Where WeasyPrint's system libraries are missing (a first look with `make run` on a bare
    machine), the data files are still made and the PDF is left out."""

    def step(done: int, message: Text) -> None:
        if progress is not None:
            progress(done, message)

    with translation.override(report.language):
        step(0, text("report.reading_data"))
        data, as_of = read_inputs(report)
        content_hash = data.content_hash()
        step(1, text("report.making_pdf"))
        try:
            pdf: bytes | None = render.render_pdf(
                render.report_html(data, inputs_as_of=as_of, content_hash=content_hash)
            )
        except render.PdfUnavailable as error:
            logger.warning("report %s made without its PDF: %s", report.pk, error)
            pdf = None
        step(2, text("report.making_spreadsheet"))
        xlsx = render.render_xlsx(data, inputs_as_of=as_of, content_hash=content_hash)
        step(3, text("report.making_csv"))
        csv = render.render_csv(data)
        step(4, text("report.saving_files"))
        stem = file_stem(report)
        report.inputs_as_of = as_of
        report.content_hash = content_hash
        if pdf is not None:
            report.pdf.save(f"{stem}.pdf", ContentFile(pdf), save=False)
        report.xlsx.save(f"{stem}.xlsx", ContentFile(xlsx), save=False)
        report.csv.save(f"{stem}.csv", ContentFile(csv), save=False)
        report.save(update_fields=["inputs_as_of", "content_hash", "pdf", "xlsx", "csv"])
    return report


def ready_message(report: Report) -> Text:
    return text("report.ready" if report.pdf else "report.ready_without_pdf")


def file_stem(report: Report) -> str:
    subject = {
        Report.Kind.PROGRAM_ANNUAL: lambda: (
            f"{report.program.code if report.program else ''}-{report.year}"
        ),
        Report.Kind.PARTNER_SCORECARD: lambda: f"organisation-{report.organization_id}",
        Report.Kind.STUDENT_RECORD: lambda: (
            report.student.student_number if report.student else str(report.student_id)
        ),
    }[Report.Kind(report.kind)]()
    clean = re.sub(r"[^A-Za-z0-9_.-]+", "-", subject).strip("-") or "report"
    return f"{report.kind.replace('_', '-')}-{clean}-{report.pk}"


def run_report_job(job_id: int) -> None:
    """The job's task: make the report whose job it is, reporting progress."""

    def body(job: Job) -> None:
        report = Report.objects.select_related("program", "organization", "student__user").get(
            job=job
        )
        jobs.report_progress(job, done=0, total=STEPS)

        def progress(done: int, message: Text) -> None:
            jobs.report_progress(job, done=done, message=message)

        generate_report(report, progress=progress)
        jobs.finish_job(
            job,
            succeeded=True,
            message=ready_message(report),
            result={"report": report.pk, "content_hash": report.content_hash},
        )

    jobs.run_job(job_id, body)


def generate_now(*, user: User, kind: str, **subject: Unpack[ReportSubject]) -> Report:
    """Request a report and make it at once, in this process (demo data, management)."""
    with transaction.atomic():
        report = request_report(user=user, kind=kind, **subject)
        Job.objects.filter(pk=report.job_id).update(
            status=Job.Status.RUNNING, started_at=timezone.now(), heartbeat_at=timezone.now()
        )
    report.job.refresh_from_db()
    generate_report(report)
    jobs.finish_job(
        report.job,
        succeeded=True,
        message=ready_message(report),
        result={"report": report.pk, "content_hash": report.content_hash},
    )
    return report
