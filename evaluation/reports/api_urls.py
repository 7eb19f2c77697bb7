"""API endpoints of reports: /api/v1/reports/ (list, detail, POST = start a report job,
and /pdf/, /xlsx/, /csv/ downloads)."""

from django.urls import URLPattern, URLResolver
from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("reports", api.ReportViewSet, basename="report")

urlpatterns: list[URLPattern | URLResolver] = list(router.urls)
