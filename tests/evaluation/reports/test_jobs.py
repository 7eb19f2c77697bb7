"""Requesting a report starts a job; the job makes the three files, with progress, the
inputs' time and the content hash, in the requester's language."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from evaluation.models import Report
from evaluation.reports import demo, services
from training_portal.core.models import Job

from .conftest import YEAR, World


def test_request_starts_a_job_that_makes_the_files(
    world: World, celery_eager: None, django_capture_on_commit_callbacks: Any
) -> None:
    admin = world.cast.program_admin
    seen: list[tuple[int, int]] = []
    original = services.jobs.report_progress

    def spy(job: Job, **kwargs: Any) -> None:
        original(job, **kwargs)
        seen.append((job.progress_done, job.progress_total))

    services.jobs.report_progress = spy  # type: ignore[assignment]
    try:
        with django_capture_on_commit_callbacks(execute=True):
            report = services.request_report(
                user=admin, kind="program_annual", program=world.cast.program, year=YEAR
            )
    finally:
        services.jobs.report_progress = original  # type: ignore[assignment]
    report.refresh_from_db()
    job = Job.objects.get(pk=report.job_id)
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert job.progress_done == job.progress_total == services.STEPS
    assert [done for done, _ in seen] == [0, 0, 1, 2, 3, 4]
    assert report.inputs_as_of is not None and len(report.content_hash) == 64
    with report.pdf.open("rb") as pdf, report.csv.open("rb") as csv:
        assert pdf.read(4) == b"%PDF" and csv.read(3) == b"\xef\xbb\xbf"
    assert report.xlsx.name.endswith(".xlsx")
    assert job.result["content_hash"] == report.content_hash


def test_same_inputs_same_hash(world: World) -> None:
    admin = world.cast.program_admin
    first = services.generate_now(
        user=admin, kind="program_annual", program=world.cast.program, year=YEAR
    )
    second = services.generate_now(
        user=admin, kind="program_annual", program=world.cast.program, year=YEAR
    )
    assert first.content_hash == second.content_hash
    assert first.pdf.name != second.pdf.name


def test_report_in_the_requesters_language(world: World) -> None:
    student = world.cast.student
    student.user.preferred_language = "zh-hans"
    student.user.save()
    report = services.generate_now(user=student.user, kind="student_record", student=student)
    assert report.language == "zh-hans"
    with report.csv.open("rb") as file:
        content = file.read().decode("utf-8-sig")
    assert "培养计划" in content and "培养节点" in content


@pytest.mark.parametrize(
    ("kind", "fields", "errors"),
    [
        ("program_annual", {}, {"program", "year"}),
        ("program_annual", {"year": 1999}, {"program", "year"}),
        ("partner_scorecard", {}, {"organization"}),
        ("student_record", {}, {"student"}),
        ("nonsense", {}, {"kind"}),
    ],
)
def test_request_validation(
    world: World, kind: str, fields: dict[str, Any], errors: set[str]
) -> None:
    with pytest.raises(ValidationError) as caught:
        services.request_report(user=world.cast.program_admin, kind=kind, **fields)
    assert set(caught.value.message_dict) == errors
    assert not Report.objects.exists()


def test_request_refused_without_the_right(world: World) -> None:
    with pytest.raises(PermissionDenied):
        services.request_report(
            user=world.cast.tutor.user,
            kind="program_annual",
            program=world.cast.program,
            year=YEAR,
        )
    assert not Report.objects.exists() and not Job.objects.filter(kind=services.JOB_KIND).exists()


def test_demo_makes_one_report_of_each_kind_once(world: World, admin: Any) -> None:
    demo.seed_reports_demo(admin, program=world.cast.program)
    kinds = sorted(Report.objects.values_list("kind", flat=True))
    assert kinds == sorted(Report.Kind.values)
    demo.seed_reports_demo(admin, program=world.cast.program)
    assert Report.objects.count() == 3
    assert all(report.pdf for report in Report.objects.all())


def test_without_weasyprints_libraries_the_data_files_are_still_made(
    world: World, monkeypatch: pytest.MonkeyPatch, client: Any
) -> None:
    """A bare machine (make run without Pango): the report ends with XLSX and CSV, no PDF,
    and says why; its page offers the data files only."""
    import sys

    monkeypatch.setitem(sys.modules, "weasyprint", None)  # importing it now fails
    admin = world.cast.program_admin
    report = services.generate_now(
        user=admin, kind="program_annual", program=world.cast.program, year=YEAR
    )
    job = Job.objects.get(pk=report.job_id)
    assert job.status == Job.Status.SUCCEEDED
    assert "Pango" in job.message
    assert not report.pdf and report.xlsx and report.csv
    client.force_login(admin)
    page = client.get(f"/reports/{report.pk}/").content.decode()
    assert f"/reports/{report.pk}/download/xlsx/" in page
    assert f"/reports/{report.pk}/download/pdf/" not in page
    assert client.get(f"/reports/{report.pk}/download/pdf/").status_code == 404
