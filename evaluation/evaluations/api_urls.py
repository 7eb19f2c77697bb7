"""API routes of evaluations: indicators, rounds, named evaluations, what is owed."""

from django.urls import URLPattern, URLResolver
from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("indicators", api.IndicatorViewSet, basename="indicator")
router.register("evaluation-rounds", api.EvaluationRoundViewSet, basename="evaluation-round")
router.register("evaluations", api.EvaluationViewSet, basename="evaluation")
router.register("evaluation-requests", api.EvaluationRequestViewSet, basename="evaluation-request")

urlpatterns: list[URLPattern | URLResolver] = list(router.urls)
