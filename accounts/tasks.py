"""Celery tasks of the accounts app: thin, take ids, safe to run twice."""

from celery import shared_task

from training_portal.core.jobs import run_job

from . import services


@shared_task(name="accounts.user_import")
def user_import_task(job_id: int) -> None:
    run_job(job_id, services.run_user_import)


@shared_task(name="accounts.send_invitations")
def send_invitations_task(user_ids: list[int]) -> int:
    return services.send_invitations(user_ids=user_ids)
