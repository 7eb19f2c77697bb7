"""Evaluation: indicators (the program's quality assessment), evaluations from several
sources, the reward ledger, partner scores with probation decisions, and reports."""

from .evaluations import (
    ANONYMOUS_SOURCES,
    AnonymousAnswer,
    Evaluation,
    EvaluationRequest,
    EvaluationRound,
    Score,
    Source,
    SubjectKind,
)
from .indicators import Indicator, IndicatorCategory
from .ledger import RewardEntry, RewardRule
from .reports import Report
from .scores import PartnerScore, PartnerScoreRun, ProbationDecision

__all__ = [
    "ANONYMOUS_SOURCES",
    "AnonymousAnswer",
    "Evaluation",
    "EvaluationRequest",
    "EvaluationRound",
    "Indicator",
    "IndicatorCategory",
    "PartnerScore",
    "PartnerScoreRun",
    "ProbationDecision",
    "Report",
    "RewardEntry",
    "RewardRule",
    "Score",
    "Source",
    "SubjectKind",
]
