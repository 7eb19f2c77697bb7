"""Pages of reports (namespace `reports`)."""

from django.urls import URLPattern, URLResolver, path

from . import views

app_name = "reports"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.report_list, name="report-list"),
    path("new/<str:kind>/", views.report_request, name="report-request"),
    path("<int:pk>/", views.report_detail, name="report-detail"),
    path("<int:pk>/progress/", views.report_progress, name="report-progress"),
    path("<int:pk>/download/<str:fmt>/", views.report_download, name="report-download"),
    path("programs/<int:pk>/dashboard/", views.program_dashboard, name="program-dashboard"),
]
