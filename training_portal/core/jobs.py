"""The life of a background job: start, claim, report progress, finish, recover.

Tasks take a job id, claim the row with a conditional UPDATE (so a duplicate delivery does
nothing), write their progress to the row, and finish it. A periodic check re-queues (or
fails, after JOB_MAX_ATTEMPTS) jobs whose worker stopped sending heartbeats.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from celery import current_app
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.base import File
from django.db import transaction
from django.db.models import F, QuerySet
from django.urls import reverse
from django.utils import timezone, translation

from .history import history_context
from .models import Job
from .texts import CATALOGUE, Text, job_kind, text

logger = logging.getLogger(__name__)


#: Where a finished job's result is, for a user: (label, url), or None when there is none
#: (or the user may not see it).
ResultLink = Callable[[Job, Any], "tuple[Any, str] | None"]


@dataclass(frozen=True)
class JobKind:
    kind: str
    task_name: str
    label: Any
    result_link: ResultLink | None = None


_kinds: dict[str, JobKind] = {}


def register_job_kind(
    kind: str, *, task_name: str, label: Any, result_link: ResultLink | None = None
) -> None:
    """Declare a kind of job and the Celery task (by name) that runs it; `result_link` says
    where the result of a succeeded job is (apps the core must not import link their own)."""
    _kinds[kind] = JobKind(kind, task_name, label, result_link)


def job_result_link(job: Job, user: Any) -> tuple[Any, str] | None:
    """The (label, url) of a succeeded job's result for `user`, if its kind links one."""
    found = _kinds.get(job.kind)
    if found is None or found.result_link is None or job.status != Job.Status.SUCCEEDED:
        return None
    return found.result_link(job, user)


def job_kind_label(kind: str) -> str:
    found = _kinds.get(kind)
    return str(found.label) if found else kind


@transaction.atomic
def start_job(
    *,
    kind: str,
    owner: Any,
    params: dict[str, Any] | None = None,
    input_file: File[Any] | None = None,
    input_name: str = "",
) -> Job:
    """Create a queued job and enqueue its task once the transaction commits."""
    if kind not in _kinds:
        raise ValueError(f"unknown job kind {kind!r}")
    job = Job(kind=kind, owner=owner, params=params or {}, input_name=input_name[:255])
    if input_file is not None:
        job.input_file.save(input_name or "upload", input_file, save=False)
    job.save()
    transaction.on_commit(lambda: enqueue_job(job.pk))
    return job


def enqueue_job(job_id: int) -> None:
    job_kind = Job.objects.filter(pk=job_id).values_list("kind", flat=True).first()
    if job_kind is None:
        return
    # A signature (not send_task) so that eager mode, used by the embedded tests, applies.
    current_app.signature(_kinds[job_kind].task_name, args=(job_id,)).apply_async()


def claim_job(job_id: int) -> Job | None:
    """Move a queued job to running; None when another delivery already has it."""
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING,
        started_at=now,
        heartbeat_at=now,
        attempts=F("attempts") + 1,
        error="",
    )
    if claimed != 1:
        return None
    return Job.objects.select_related("owner").get(pk=job_id)


def _stored(value: str | Text) -> tuple[str, str, dict[str, Any]]:
    """Text, id and parameters of a message: a catalogued `Text` is rendered again when
    read; a plain string (e.g. an exception's message) is kept as it is."""
    if isinstance(value, Text):
        return str(value)[:255], value.id, value.stored_params()
    return str(value), "", {}


def report_progress(
    job: Job, *, done: int, total: int | None = None, message: str | Text | None = None
) -> None:
    """Write progress and a heartbeat; visible at once to pollers (autocommit)."""
    job.progress_done = done
    fields: dict[str, Any] = {"progress_done": done, "heartbeat_at": timezone.now()}
    if total is not None:
        job.progress_total = fields["progress_total"] = total
    if message is not None:
        job.message, job.message_id, job.message_params = _stored(message)
        job.message = job.message[:255]
        fields.update(
            message=job.message, message_id=job.message_id, message_params=job.message_params
        )
    Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(**fields)


def finish_job(
    job: Job,
    *,
    succeeded: bool,
    message: str | Text = "",
    result: dict[str, Any] | None = None,
    error: str | Text = "",
    result_file: tuple[str, File[Any]] | None = None,
) -> bool:
    """Record the outcome of the running attempt; False if the job was taken from it."""
    job.status = Job.Status.SUCCEEDED if succeeded else Job.Status.FAILED
    job.finished_at = job.heartbeat_at = timezone.now()
    job.message, job.message_id, job.message_params = _stored(message)
    job.message = job.message[:255]
    job.error, job.error_id, job.error_params = _stored(error)
    job.result = result or {}
    if succeeded and job.progress_total:
        job.progress_done = job.progress_total
    if result_file is not None:
        name, content = result_file
        job.result_file.save(name, content, save=False)
    # Only the attempt that claimed the job may finish it (the stuck-job check may have
    # handed it to another worker meanwhile).
    return bool(
        Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING, attempts=job.attempts).update(
            status=job.status,
            finished_at=job.finished_at,
            heartbeat_at=job.heartbeat_at,
            message=job.message,
            message_id=job.message_id,
            message_params=job.message_params,
            error=job.error,
            error_id=job.error_id,
            error_params=job.error_params,
            result=job.result,
            progress_done=job.progress_done,
            result_file=job.result_file.name or "",
        )
    )


def run_job(job_id: int, body: Callable[[Job], None]) -> None:
    """Claim the job, run `body` in the owner's language, and fail it on any error."""
    job = claim_job(job_id)
    if job is None:
        logger.info("job %s is not queued; this delivery does nothing", job_id)
        return
    language = job.owner.preferred_language if job.owner else settings.LANGUAGE_CODE
    with translation.override(language), history_context(job=job.pk, user=job.owner_id):
        try:
            body(job)
        except SoftTimeLimitExceeded:
            finish_job(job, succeeded=False, error=text("job.too_long"))
        except Exception:
            logger.exception("job %s failed", job_id)
            finish_job(job, succeeded=False, error=text("job.internal_error"))
            raise
        finally:
            notify_owner_of_end(job_id)


def notify_owner_of_end(job_id: int) -> None:
    """Tell the owner that their job ended (in the portal and by e-mail)."""
    from .notifications import notify

    job = Job.objects.select_related("owner").filter(pk=job_id).first()
    if job is None or job.owner is None or not job.is_finished:
        return
    kind = job_kind(job.kind)
    outcome: Any = job.message if job.status == Job.Status.SUCCEEDED else job.error
    outcome_id = job.message_id if job.status == Job.Status.SUCCEEDED else job.error_id
    if outcome_id:
        params = job.message_params if job.status == Job.Status.SUCCEEDED else job.error_params
        outcome = {"$text": outcome_id, "params": params}
    succeeded = job.status == Job.Status.SUCCEEDED
    notify(
        recipient=job.owner,
        title=text("job.succeeded_title" if succeeded else "job.failed_title", kind=kind),
        message=text("job.ended", kind=kind, number=job.pk, outcome=outcome),
        link=reverse("core:job-detail", args=[job.pk]),
    )


def _lock_ids(jobs: QuerySet[Job]) -> list[int]:
    """The ids of these jobs, locked for update (skipping rows another worker holds)."""
    return list(jobs.select_for_update(skip_locked=True).values_list("id", flat=True))


@transaction.atomic
def recover_stuck_jobs() -> dict[str, int]:
    """Re-queue running jobs whose worker died, or fail them after JOB_MAX_ATTEMPTS."""
    now = timezone.now()
    stale = Job.objects.stale(now - settings.JOB_STALE_AFTER)
    hopeless = _lock_ids(stale.filter(attempts__gte=settings.JOB_MAX_ATTEMPTS))
    failed = Job.objects.filter(pk__in=hopeless).update(
        status=Job.Status.FAILED,
        finished_at=now,
        error=str(WORKER_LOST_MESSAGE),
        error_id="job.worker_lost",
        error_params={},
    )
    for job_id in hopeless:
        notify_owner_of_end(job_id)
    ids = _lock_ids(stale.filter(attempts__lt=settings.JOB_MAX_ATTEMPTS))
    requeued = Job.objects.filter(pk__in=ids).update(
        status=Job.Status.QUEUED,
        message=str(REQUEUED_MESSAGE),
        message_id="job.requeued",
        message_params={},
    )
    for job_id in ids:
        transaction.on_commit(partial(enqueue_job, job_id))
    return {"requeued": requeued, "failed": failed}


WORKER_LOST_MESSAGE = CATALOGUE["job.worker_lost"]
REQUEUED_MESSAGE = CATALOGUE["job.requeued"]
