"""API endpoints of scores: /api/v1/partner-scores/."""

from django.urls import URLPattern, URLResolver
from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("partner-scores", api.PartnerScoreViewSet, basename="partner-score")

urlpatterns: list[URLPattern | URLResolver] = list(router.urls)
