"""Periodic maintenance tasks of the core app."""

from celery import shared_task

from .jobs import recover_stuck_jobs
from .notifications import send_notification_email


@shared_task(name="core.recover_stuck_jobs")
def recover_stuck_jobs_task() -> dict[str, int]:
    return recover_stuck_jobs()


@shared_task(
    name="core.send_notification_email",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def send_notification_email_task(notification_id: int) -> bool:
    return send_notification_email(notification_id)
