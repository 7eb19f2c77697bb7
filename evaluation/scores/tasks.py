"""Celery task of partner performance: thin, it takes the job id and runs the run's job
(claimed once, with progress in the job row; a finished run is not computed again).

Imported by `scores.hooks.register()` when the app is ready, so that workers know it."""

from __future__ import annotations

from celery import shared_task

from training_portal.core.jobs import run_job

from . import services


@shared_task(name=services.JOB_KIND)
def compute_partner_scores(job_id: int) -> None:
    run_job(job_id, services.run_partner_scores_job)
