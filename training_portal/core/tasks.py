"""Periodic maintenance tasks of the core app."""

from celery import shared_task

from .jobs import recover_stuck_jobs


@shared_task(name="core.recover_stuck_jobs")
def recover_stuck_jobs_task() -> dict[str, int]:
    return recover_stuck_jobs()
