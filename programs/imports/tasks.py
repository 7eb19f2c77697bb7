"""Celery tasks of the imports: thin, take ids, safe to run twice (names: the job kinds)."""

from celery import shared_task

from training_portal.core.jobs import run_job

from . import services


@shared_task(name="programs.organization_import")
def organization_import_task(job_id: int) -> None:
    run_job(job_id, services.run_organization_import)


@shared_task(name="programs.tutor_import")
def tutor_import_task(job_id: int) -> None:
    run_job(job_id, services.run_tutor_import)


@shared_task(name="programs.student_import")
def student_import_task(job_id: int) -> None:
    run_job(job_id, services.run_student_import)
