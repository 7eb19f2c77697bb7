"""The REST API, version 1: each app's routes, under one root that lists them all."""

from typing import Any

from django.urls import include, path
from rest_framework.routers import APIRootView, SimpleRouter

from accounts.api import views as accounts_api
from evaluation import api_urls as evaluation_api
from programs import api_urls as programs_api
from supervision import api_urls as audits_api
from supervision.inspections.api import urls as inspections_api
from supervision.internal import api_urls as internal_api
from training_portal.core.api.views import JobViewSet, NotificationViewSet

app_name = "api"

router = SimpleRouter()
router.register("jobs", JobViewSet, basename="job")
router.register("notifications", NotificationViewSet, basename="notification")

#: Every router of the API, in the order the root lists their endpoints.
ROUTERS = [
    router,
    *programs_api.ROUTERS,
    *audits_api.ROUTERS,
    internal_api.router,
    inspections_api.router,
    *evaluation_api.ROUTERS,
]


class PortalAPIRootView(APIRootView):
    """The endpoint groups of the Training Portal's API: each links to its list (what the
    caller may see of it; some are for one role and answer 403 to others)."""


#: Endpoints the root lists besides the routers' lists: the caller, and the rating
#: aggregates of internal supervision (whose ratings are posted, never listed).
ROOT_EXTRAS = {"me": "me", "supervision-ratings/aggregates": "supervision-rating-aggregates"}


def root_view() -> Any:
    """The root: every registered endpoint that lists records, then the extras."""
    registered = [entry for app_router in ROUTERS for entry in app_router.registry]
    registered += [
        (f"public/{prefix}", viewset, basename)
        for prefix, viewset, basename in inspections_api.public_router.registry
    ]
    names = {
        prefix: f"{basename}-list"
        for prefix, viewset, basename in registered
        if hasattr(viewset, "list")
    }
    return PortalAPIRootView.as_view(api_root_dict=names | ROOT_EXTRAS)


urlpatterns = [
    path("", root_view(), name="api-root"),
    path("auth/token/", accounts_api.TokenView.as_view(), name="auth-token"),
    path("auth/token/revoke/", accounts_api.TokenRevokeView.as_view(), name="auth-token-revoke"),
    path("me/", accounts_api.MeView.as_view(), name="me"),
    path("user-imports/", accounts_api.UserImportView.as_view(), name="user-import"),
    path("", include(router.urls)),
    path("", include("programs.api_urls")),
    path("", include("supervision.api_urls")),
    path("", include("supervision.internal.api_urls")),
    path("", include("supervision.inspections.api.urls")),
    path("", include("evaluation.api_urls")),
]
