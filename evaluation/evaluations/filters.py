"""The filters of evaluations' lists, shared by the pages and the API
(the API's flavour of FilterSet: booleans read "true"/"false")."""

from __future__ import annotations

from training_portal.core.api.filters import model_filter

from ..models import Evaluation, EvaluationRequest, EvaluationRound, Indicator

IndicatorFilter = model_filter(Indicator, "program", doc="A program's indicators (`?program=`).")

EvaluationRoundFilter = model_filter(
    EvaluationRound,
    "program",
    "status",
    doc="""Rounds of a program (`?program=`, also the rounds page's link from a program's page)
    and by status.""",
)

EvaluationFilter = model_filter(
    Evaluation, "round", "source", "subject_kind", "student", "tutor", "organization"
)

EvaluationRequestFilter = model_filter(EvaluationRequest, "round", "source", "status")
