"""Celery tasks of students and tutors: thin, take ids, safe to run twice."""

from celery import shared_task

from .services.student_status import start_due_suspensions


@shared_task(name="programs.start_due_suspensions")
def start_due_suspensions_task() -> int:
    """Daily (beat): suspend the students whose approved suspension starts today or earlier."""
    return start_due_suspensions()
