"""The filters of evaluations' lists, shared by the pages and the API
(the API's flavour of FilterSet: booleans read "true"/"false")."""

from __future__ import annotations

from django_filters import rest_framework as filters

from ..models import Evaluation, EvaluationRequest, EvaluationRound, Indicator


class IndicatorFilter(filters.FilterSet):
    """A program's indicators (`?program=`)."""

    class Meta:
        model = Indicator
        fields = ["program"]


class EvaluationRoundFilter(filters.FilterSet):
    """Rounds of a program (`?program=`, also the rounds page's link from a program's page)
    and by status."""

    class Meta:
        model = EvaluationRound
        fields = ["program", "status"]


class EvaluationFilter(filters.FilterSet):
    class Meta:
        model = Evaluation
        fields = ["round", "source", "subject_kind", "student", "tutor", "organization"]


class EvaluationRequestFilter(filters.FilterSet):
    class Meta:
        model = EvaluationRequest
        fields = ["round", "source", "status"]
