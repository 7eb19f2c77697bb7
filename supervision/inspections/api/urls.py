"""API routes of inspections: inspections, inspection assignments, draws; and the public
read-only API under public/."""

from django.urls import URLPattern, URLResolver, include, path
from rest_framework.routers import SimpleRouter

from . import public, views

router = SimpleRouter()
router.register("inspections", views.InspectionViewSet, basename="inspection")
router.register(
    "inspection-assignments", views.InspectionAssignmentViewSet, basename="inspection-assignment"
)
router.register("draws", views.DrawViewSet, basename="draw")

public_router = SimpleRouter()
public_router.register("inspections", public.PublicInspectionViewSet, basename="public-inspection")
public_router.register(
    "audit-summaries", public.PublicAuditSummaryViewSet, basename="public-audit-summary"
)

urlpatterns: list[URLPattern | URLResolver] = [
    *router.urls,
    path("public/", include(public_router.urls)),
]
