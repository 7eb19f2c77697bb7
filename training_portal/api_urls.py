"""The REST API, version 1."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from accounts.api import views as accounts_api
from training_portal.core.api.views import JobViewSet, NotificationViewSet

app_name = "api"

router = DefaultRouter()
router.register("jobs", JobViewSet, basename="job")
router.register("notifications", NotificationViewSet, basename="notification")

urlpatterns = [
    path("auth/token/", accounts_api.TokenView.as_view(), name="auth-token"),
    path("auth/token/revoke/", accounts_api.TokenRevokeView.as_view(), name="auth-token-revoke"),
    path("me/", accounts_api.MeView.as_view(), name="me"),
    path("user-imports/", accounts_api.UserImportView.as_view(), name="user-import"),
    path("", include(router.urls)),
    path("", include("programs.api.urls")),
    path("", include("supervision.api.urls")),
    path("", include("supervision.internal.api_urls")),
    path("", include("supervision.inspections.api.urls")),
    path("", include("evaluation.evaluations.api_urls")),
    path("", include("evaluation.ledger.api_urls")),
    path("", include("evaluation.scores.api_urls")),
    path("", include("evaluation.reports.api_urls")),
]
