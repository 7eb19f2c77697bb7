"""The public portal: published inspection reports and audit summaries, verification, the
Atom feed (namespace "public", mounted at /public/, no login)."""

from django.urls import URLPattern, URLResolver, path

from training_portal.core.routes import record_pages, record_routes

from . import draws, feeds, reports, summaries

app_name = "public"

#: What the public may do with a published record: list, read, verify it.
PUBLISHED = ("list", "detail", "verify")

urlpatterns: list[URLPattern | URLResolver] = [
    path("", reports.home, name="home"),
    *record_routes("reports", "report", reports, PUBLISHED, pk="<int:inspection_id>"),
    *record_pages(
        "reports", reports, {"v<int:version>": "report_version"}, pk="<int:inspection_id>"
    ),
    *record_routes("audit-summaries", "summary", summaries, PUBLISHED, pk="<int:program_id>"),
    *record_pages(
        "audit-summaries", summaries, {"v<int:version>": "summary_version"}, pk="<int:program_id>"
    ),
    *record_routes("draws", "draw", draws, ("verify",), pk="<uuid:public_id>"),
    path("feed.atom", feeds.publications_feed, name="feed"),
]
