"""API routes of internal supervision: review meetings, supervision ratings."""

from django.urls import URLPattern, URLResolver
from rest_framework.routers import SimpleRouter

from . import api_views

router = SimpleRouter()
router.register("review-meetings", api_views.ReviewMeetingViewSet, basename="review-meeting")
router.register(
    "supervision-ratings", api_views.SupervisionRatingViewSet, basename="supervision-rating"
)

urlpatterns: list[URLPattern | URLResolver] = list(router.urls)
