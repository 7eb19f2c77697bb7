"""Celery tasks of external supervision: thin, they take ids, are safe to run twice, and keep
their progress in domain rows (`Inspection.start_notice_sent_at`, the published versions).

They must be imported when the worker starts (`SupervisionConfig.ready()` imports them), or
the worker would refuse their messages.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from training_portal.core.history import history_context

from ..models import AuditRun, Inspection
from .publication import refresh_audit_summaries
from .workflow import notify_inspected_side

logger = logging.getLogger(__name__)


def programs_of_run(run_id: int) -> list[int]:
    """The programs an audit run looked at: its program, or those of its chunks."""
    run = AuditRun.objects.filter(pk=run_id).first()
    if run is None:
        return []
    if run.program_id is not None:
        return [run.program_id]
    return sorted(set(run.chunks.values_list("program_id", flat=True)))


@shared_task(name="supervision.refresh_audit_summaries")
def refresh_audit_summaries_task(run_id: int) -> int:
    """After an audit run: publish a new summary version for each of its programs whose
    figures changed. Returns how many were published."""
    with history_context(audit_run=run_id):
        return refresh_audit_summaries(programs_of_run(run_id))


def _reveal(inspection_id: int) -> bool:
    """Tell the inspected side of one started unannounced inspection, once: the notice is
    claimed with a conditional update, so that a second run sends nothing."""
    with transaction.atomic():
        claimed = Inspection.objects.filter(
            pk=inspection_id, start_notice_sent_at__isnull=True
        ).update(start_notice_sent_at=timezone.now())
        if not claimed:
            return False
        inspection = Inspection.objects.select_related("program", "organization").get(
            pk=inspection_id
        )
        notify_inspected_side(inspection, "inspection_started")
    return True


def reveal_started_inspections() -> int:
    """Notify the inspected side of every unannounced inspection that has started and of
    which they were not told yet (cancelled ones stay untold). Returns how many."""
    started = (
        Inspection.objects.filter(
            unannounced=True, starts_at__lte=timezone.now(), start_notice_sent_at__isnull=True
        )
        .exclude(status=Inspection.Status.CANCELLED)
        .order_by("starts_at", "pk")
        .values_list("pk", flat=True)
    )
    revealed = 0
    with history_context(task="supervision.reveal_started_inspections"):
        for inspection_id in list(started):
            revealed += _reveal(inspection_id)
    if revealed:
        logger.info("told the inspected side of %d started unannounced inspections", revealed)
    return revealed


@shared_task(name="supervision.reveal_started_inspections")
def reveal_started_inspections_task() -> int:
    """Run by Celery beat every 10 minutes."""
    return reveal_started_inspections()
