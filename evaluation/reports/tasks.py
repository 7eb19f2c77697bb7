"""Celery task of the reports: it takes the job's id."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name=services.JOB_TASK)
def generate_report_task(job_id: int) -> None:
    services.run_report_job(job_id)
