"""API routes of the audits and their findings: audit rules, runs, findings."""

from django.urls import URLPattern, URLResolver, include, path

from .audits import api as audits
from .findings import api as findings

#: In the order the API's root lists them.
ROUTERS = [audits.router, findings.router]

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include(audits.urlpatterns)),
    path("", include(findings.urlpatterns)),
]
