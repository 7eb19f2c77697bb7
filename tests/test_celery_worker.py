"""A real Celery worker, started here, consumes the import job from Redis."""

from __future__ import annotations

import subprocess
import time
from typing import Any

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import User
from tests.factories import PortalAdminFactory
from training_portal.core.models import Job

from .accounts.import_files import HEADER, people, with_three_bad_rows, xlsx_bytes

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def wait_for(job_id: int, timeout: float = 60) -> Job:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = Job.objects.get(pk=job_id)
        if job.is_finished:
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} did not finish in {timeout} s: {job.status} {job.message}")


def post_import(api: APIClient, name: str, data: bytes) -> int:
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = api.post(
        reverse("api:user-import"), {"file": SimpleUploadedFile(name, data)}, format="multipart"
    )
    assert response.status_code == 202, response.data
    return int(response.data["id"])


def test_a_real_worker_imports_accounts_from_redis(worker: subprocess.Popen[bytes]) -> None:
    admin = PortalAdminFactory()
    api = APIClient()
    api.force_authenticate(admin)
    job = wait_for(post_import(api, "people.xlsx", xlsx_bytes([HEADER, *people(50, "w")])))
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert job.attempts == 1
    assert (job.progress_done, job.progress_total) == (50, 50)
    assert User.objects.filter(email__startswith="w", email__endswith="@example.cn").count() == 50

    bad = wait_for(post_import(api, "bad.xlsx", xlsx_bytes(with_three_bad_rows())))
    assert bad.status == Job.Status.FAILED
    assert bad.result["bad_rows"] == [4, 8, 12]
    assert not User.objects.filter(email__startswith="ok").exists()
    assert worker.poll() is None, "the worker died"


def test_a_job_orphaned_by_a_dead_worker_is_requeued_and_completed(
    worker: subprocess.Popen[bytes], settings: Any
) -> None:
    """As if a worker had claimed the job and died: the periodic check hands it to a live one."""
    import datetime as dt

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from training_portal.core.jobs import recover_stuck_jobs

    admin = PortalAdminFactory()
    job = Job(
        kind="accounts.user_import",
        owner=admin,
        input_name="people.xlsx",
        status=Job.Status.RUNNING,
        attempts=1,
        heartbeat_at=timezone.now() - settings.JOB_STALE_AFTER - dt.timedelta(minutes=1),
    )
    job.input_file.save(
        "people.xlsx", ContentFile(xlsx_bytes([HEADER, *people(5, "orphan")])), save=False
    )
    job.save()
    assert recover_stuck_jobs() == {"requeued": 1, "failed": 0}
    job = wait_for(job.pk)
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert job.attempts == 2
    assert User.objects.filter(email__startswith="orphan").count() == 5
