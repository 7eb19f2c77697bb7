"""Indicators, evaluation rounds, submitting evaluations, reminders and the aggregates.

Anonymous sources (student on tutor, student on placement) answer into `AnonymousAnswer`
rows that carry no author, no timestamp and no sequential id; the request stays the receipt
("answered"), and never points at the answer. An answer about a placement is stored about
the host organisation (the placement would name its student, hence its author).

Split by topic: `indicators`, `rounds` (opening, closing, notices, what is owed), `answers`
(submitting) and `results` (the aggregates); `common` holds what they share. Callers use
this package's names.
"""

from __future__ import annotations

from .answers import submit_evaluation
from .common import COMMENT_MAX_LENGTH, REMIND_WITHIN_DAYS, min_anonymous, subject_label
from .indicators import save_indicators, weighted_total
from .results import RoundResults, round_results
from .rounds import close_round, notify_round_opened, open_round, owed_by, send_reminders

__all__ = [
    "COMMENT_MAX_LENGTH",
    "REMIND_WITHIN_DAYS",
    "RoundResults",
    "close_round",
    "min_anonymous",
    "notify_round_opened",
    "open_round",
    "owed_by",
    "round_results",
    "save_indicators",
    "send_reminders",
    "subject_label",
    "submit_evaluation",
    "weighted_total",
]
