"""The evaluation app's pages: each feature's URLconf under its prefix, in its namespace
(`evaluations`, `ledger`, `partner_scores`, `reports`)."""

from django.urls import URLPattern, URLResolver, include, path

urlpatterns: list[URLPattern | URLResolver] = [
    path("evaluation/", include("evaluation.evaluations.urls")),
    path("ledger/", include("evaluation.ledger.urls")),
    path("partner-performance/", include("evaluation.scores.urls")),
    path("reports/", include("evaluation.reports.urls")),
]
