"""Celery tasks of evaluations: thin, they take ids, are safe to run twice, and keep their
progress in the requests (`EvaluationRequest.reminded_at`).

They are imported when the app is ready (`hooks.register()`), so that the worker knows them.
"""

from __future__ import annotations

import logging

from celery import shared_task

from training_portal.core.history import history_context

from . import services

logger = logging.getLogger(__name__)


@shared_task(name="evaluation.notify_round_opened")
def notify_round_opened_task(round_id: int) -> int:
    """Enqueued after the round's commit: tell each evaluator once."""
    with history_context(task="evaluation.notify_round_opened"):
        return services.notify_round_opened(round_id)


@shared_task(name="evaluation.send_reminders")
def send_reminders_task() -> int:
    """Run by Celery beat every day: remind of evaluations due soon or overdue."""
    with history_context(task="evaluation.send_reminders"):
        reminded = services.send_reminders()
    if reminded:
        logger.info("reminded %d evaluators of evaluations they owe", reminded)
    return reminded
