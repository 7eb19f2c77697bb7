"""The public portal: published inspection reports and audit summaries, verification, the
Atom feed (namespace "public", mounted at /public/, no login)."""

from django.urls import URLPattern, URLResolver, path

from . import draws, feeds, reports, summaries

app_name = "public"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", reports.home, name="home"),
    path("reports/", reports.report_list, name="report-list"),
    path("reports/<int:inspection_id>/", reports.report_detail, name="report-detail"),
    path(
        "reports/<int:inspection_id>/v<int:version>/",
        reports.report_version,
        name="report-version",
    ),
    path("reports/<int:inspection_id>/verify/", reports.report_verify, name="report-verify"),
    path("audit-summaries/", summaries.summary_list, name="summary-list"),
    path("audit-summaries/<int:program_id>/", summaries.summary_detail, name="summary-detail"),
    path(
        "audit-summaries/<int:program_id>/v<int:version>/",
        summaries.summary_version,
        name="summary-version",
    ),
    path(
        "audit-summaries/<int:program_id>/verify/",
        summaries.summary_verify,
        name="summary-verify",
    ),
    path("draws/<uuid:public_id>/verify/", draws.draw_verify, name="draw-verify"),
    path("feed.atom", feeds.publications_feed, name="feed"),
]
