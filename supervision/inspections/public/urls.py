"""The public portal: published inspection reports and audit summaries, verification, the
Atom feed (namespace "public", mounted at /public/, no login)."""

from django.urls import URLPattern, URLResolver, path

from training_portal.core.routes import record_routes

from . import draws, feeds, reports, summaries

app_name = "public"

#: What the public may do with a published record: list, read, verify it.
PUBLISHED = ("list", "detail", "verify")

urlpatterns: list[URLPattern | URLResolver] = [
    path("", reports.home, name="home"),
    *record_routes("reports", "report", reports, PUBLISHED, pk="<int:inspection_id>"),
    path(
        "reports/<int:inspection_id>/v<int:version>/",
        reports.report_version,
        name="report-version",
    ),
    *record_routes("audit-summaries", "summary", summaries, PUBLISHED, pk="<int:program_id>"),
    path(
        "audit-summaries/<int:program_id>/v<int:version>/",
        summaries.summary_version,
        name="summary-version",
    ),
    path("draws/<uuid:public_id>/verify/", draws.draw_verify, name="draw-verify"),
    path("feed.atom", feeds.publications_feed, name="feed"),
]
