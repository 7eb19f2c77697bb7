"""API endpoints of ledger: /api/v1/reward-entries/."""

from django.urls import URLPattern, URLResolver
from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("reward-entries", api.RewardEntryViewSet, basename="reward-entry")

urlpatterns: list[URLPattern | URLResolver] = list(router.urls)
