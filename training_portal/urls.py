from csp.decorators import csp_update
from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts.home import home
from training_portal.core import urls as core_urls
from training_portal.core import views as core_views

admin.site.site_header = admin.site.site_title = "Training Portal"

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("accounts/", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("training_portal.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "api/docs/",
        # Swagger UI sets inline styles (never scripts): allow those on this page only.
        csp_update({"style-src": ["'unsafe-inline'"]})(
            login_required(SpectacularSwaggerSplitView.as_view(url_name="api-schema"))
        ),
        name="api-docs",
    ),
    path("", include("programs.urls")),
    path("audits/", include("supervision.urls")),
    path("supervision/", include("supervision.internal.urls")),
    path("inspections/", include("supervision.inspections.urls")),
    path("public/", include("supervision.inspections.public.urls")),
    path("", include("evaluation.urls")),
    # The `core` namespace: the home page (the accounts app's) and the core pages.
    path("", include(([path("", home, name="home"), *core_urls.urlpatterns], "core"))),
]

handler403 = "training_portal.core.views.permission_denied"
handler404 = "training_portal.core.views.page_not_found"
handler500 = "training_portal.core.views.server_error"
