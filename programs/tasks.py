"""Celery tasks of the programs app: thin, take ids, safe to run twice."""

from celery import shared_task

from training_portal.core.jobs import run_job

from . import imports
from .people.services.student_status import start_due_suspensions


@shared_task(name="programs.organization_import")
def organization_import_task(job_id: int) -> None:
    run_job(job_id, imports.run_organization_import)


@shared_task(name="programs.tutor_import")
def tutor_import_task(job_id: int) -> None:
    run_job(job_id, imports.run_tutor_import)


@shared_task(name="programs.student_import")
def student_import_task(job_id: int) -> None:
    run_job(job_id, imports.run_student_import)


@shared_task(name="programs.start_due_suspensions")
def start_due_suspensions_task() -> int:
    """Daily (beat): suspend the students whose approved suspension starts today or earlier."""
    return start_due_suspensions()
