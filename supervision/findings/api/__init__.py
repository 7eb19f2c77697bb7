"""The findings API's routes."""

from django.urls import URLPattern, URLResolver
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("findings", views.FindingViewSet, basename="finding")

urlpatterns: list[URLPattern | URLResolver] = list(router.urls)
