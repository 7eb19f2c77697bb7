"""Celery tasks of the audits: they take ids and call the audit engine."""

from __future__ import annotations

from celery import shared_task

from . import engine


@shared_task(name="supervision.run_audit")
def run_audit_task(job_id: int) -> None:
    engine.run_audit(job_id)


@shared_task(name="supervision.audit_chunks")
def audit_chunks(chunk_ids: list[int]) -> None:
    """The chunks of one rule over some programs: one query for all of them."""
    engine.run_chunks(chunk_ids)


@shared_task(name="supervision.scheduled_audit")
def scheduled_audit(schedule: str = "nightly") -> int:
    """Started by Celery beat (the schedule administrators edit): the whole portal."""
    return engine.start_audit(user=None, schedule=schedule).pk
