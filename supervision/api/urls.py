"""API routes of the audits: audit rules, runs, findings."""

from django.urls import URLPattern, URLResolver
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("audit-rules", views.AuditRuleViewSet, basename="audit-rule")
router.register("audit-runs", views.AuditRunViewSet, basename="audit-run")
router.register("findings", views.FindingViewSet, basename="finding")

urlpatterns: list[URLPattern | URLResolver] = list(router.urls)
