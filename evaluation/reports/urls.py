"""Pages of reports (namespace `reports`)."""

from django.urls import URLPattern, URLResolver, path

from training_portal.core.routes import record_routes

from . import views

app_name = "reports"

urlpatterns: list[URLPattern | URLResolver] = [
    path("new/<str:kind>/", views.report_request, name="report-request"),
    *record_routes("", "report", views, ("list", "detail", "progress")),
    path("<int:pk>/download/<str:fmt>/", views.report_download, name="report-download"),
    path("programs/<int:pk>/dashboard/", views.program_dashboard, name="program-dashboard"),
]
