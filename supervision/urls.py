"""Pages of the audits and their findings (namespace "supervision", mounted at /audits/)."""

from django.urls import URLPattern, URLResolver, include, path

app_name = "supervision"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("supervision.audits.urls")),
    path("", include("supervision.findings.urls")),
]
