"""A worker killed in the middle of an audit loses nothing.

Real Celery workers on Redis run a whole-portal audit of a few thousand generated students
(`programs.scale`); the first worker is killed with SIGKILL inside a chunk, some chunks done, a
second one takes over, the stuck-job check re-queues the run, and the run ends with exactly
the findings of an uninterrupted run of the same data.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import psycopg.sql
import pytest
from django.db import connection
from django.db.models import Count

from programs.scale import seed_scale
from supervision.audits.engine import start_audit
from supervision.models import AuditChunk, AuditRun, Finding
from tests.conftest import ROOT, database_url
from training_portal.celery import app as celery_app
from training_portal.core.jobs import recover_stuck_jobs
from training_portal.core.models import Job

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

STUDENTS, PROGRAMS = 6000, 6


@contextlib.contextmanager
def eager() -> Iterator[None]:
    celery_app.conf.task_always_eager = True
    try:
        yield
    finally:
        celery_app.conf.task_always_eager = False


def start_worker(queue: str, media: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "CELERY_QUEUE": queue,
        "MEDIA_ROOT": str(media),
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "training_portal",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-Q",
            queue,
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=env,
    )


@pytest.fixture
def workers(settings: Any) -> Iterator[Callable[[], subprocess.Popen[bytes]]]:
    """Starts workers on a queue of this test's own; stops whichever are still alive."""
    queue = f"test-kill-{uuid.uuid4().hex[:12]}"
    Path(settings.MEDIA_ROOT).mkdir(parents=True, exist_ok=True)
    started: list[subprocess.Popen[bytes]] = []
    original = celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = queue

    def start() -> subprocess.Popen[bytes]:
        started.append(start_worker(queue, Path(settings.MEDIA_ROOT)))
        return started[-1]

    try:
        yield start
    finally:
        celery_app.conf.task_default_queue = original
        for process in started:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        connection.close()


def findings() -> dict[str, tuple[Any, ...]]:
    return {
        f.fingerprint: (f.rule, f.status, f.program_id, f.subject_id, f.details, f.evidence)
        for f in Finding.objects.all()
    }


def wait(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@contextlib.contextmanager
def held_row(table: str, pk: int, *, delete: bool = False) -> Iterator[None]:
    """A row locked by a connection of its own until the block ends (and then deleted, with
    `delete`)."""
    statement = (
        "DELETE FROM {} WHERE id = %s" if delete else "SELECT 1 FROM {} WHERE id = %s FOR UPDATE"
    )
    with psycopg.connect(database_url()) as other:
        other.execute(psycopg.sql.SQL(statement).format(psycopg.sql.Identifier(table)), [pk])
        yield
        other.commit()


def blocking_finding(reference: AuditRun) -> int:
    """A finding recorded by a chunk that has chunks before it (chunks run in their order)."""
    chunks = list(reference.chunks.order_by("pk").values_list("rule", "program_id", "found"))
    rule, program, _found = next(chunk for chunk in chunks[1:] if chunk[2])
    return Finding.objects.filter(rule=rule, program_id=program).values_list("pk", flat=True)[0]


def waiting_for_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        )
        row = cursor.fetchone()
    return bool(row and row[0])


def chunks_done(run: AuditRun) -> int:
    return AuditChunk.objects.filter(run=run, done_at__isnull=False).count()


def test_a_worker_killed_mid_run_loses_nothing_and_duplicates_nothing(
    workers: Callable[[], subprocess.Popen[bytes]], admin: Any, settings: Any
) -> None:
    seed_scale(STUDENTS, PROGRAMS)
    with eager():
        reference_run = start_audit(user=None)  # runs in-process when committed
    reference = findings()
    assert Job.objects.get(audit_run=reference_run).status == Job.Status.SUCCEEDED
    total = reference_run.chunks.count()
    assert len(reference) > STUDENTS // 2  # enough findings to make the run take a while
    # One finding of a chunk that is not the first is kept, and deleted later by another
    # connection that holds its row meanwhile: the worker records the chunks before it, then
    # waits inside that chunk's transaction to write the finding. Killed there, it is
    # certainly in the middle of a chunk, however fast the machine.
    blocking = blocking_finding(reference_run)
    Finding.objects.exclude(pk=blocking).delete()

    first = workers()
    started = time.monotonic()
    with held_row(Finding._meta.db_table, blocking, delete=True):
        run = start_audit(user=admin)
        wait(lambda: AuditChunk.objects.filter(run=run).count() == total, 60, "the chunks")
        wait(waiting_for_a_lock, 60, "the worker to wait inside a chunk")
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    done_at_kill = chunks_done(run)
    assert 1 <= done_at_kill < total, "the run ended before the worker was killed"
    assert Job.objects.get(pk=run.job_id).status == Job.Status.RUNNING

    second = workers()
    # The chunk the dead worker was running is not redelivered (late acknowledgement keeps
    # it unacknowledged for an hour): the run stalls until the stuck-job check re-queues it.
    settings.JOB_STALE_AFTER = dt.timedelta(seconds=2)

    def recovered() -> bool:
        if Job.objects.get(pk=run.job_id).is_finished:
            return True
        recover_stuck_jobs()
        return False

    wait(recovered, 90, "the run to end")
    print(f"run with a kill: {time.monotonic() - started:.1f} s, {done_at_kill}/{total} at kill")

    job = Job.objects.get(pk=run.job_id)
    assert job.status == Job.Status.SUCCEEDED, (job.status, job.error)
    assert job.attempts >= 2
    assert (job.progress_done, job.progress_total) == (total, total)
    assert chunks_done(run) == total
    assert not Finding.objects.values("fingerprint").annotate(n=Count("pk")).filter(n__gt=1)
    assert findings() == reference
    assert set(Finding.objects.values_list("last_seen_run", flat=True)) == {run.pk}
    run.refresh_from_db()
    assert run.finished_at is not None
    assert sum(c["found"] for c in run.counts.values()) == len(reference)
    assert second.poll() is None, "the second worker died"
