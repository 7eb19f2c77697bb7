"""The public portal: published inspection reports and audit summaries, verification, the
Atom feed (namespace "public", mounted at /public/, no login)."""

from django.urls import URLPattern, URLResolver, path

from . import feeds, public_views

app_name = "public"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", public_views.home, name="home"),
    path("reports/", public_views.report_list, name="report-list"),
    path("reports/<int:inspection_id>/", public_views.report_detail, name="report-detail"),
    path(
        "reports/<int:inspection_id>/v<int:version>/",
        public_views.report_version,
        name="report-version",
    ),
    path("reports/<int:inspection_id>/verify/", public_views.report_verify, name="report-verify"),
    path("audit-summaries/", public_views.summary_list, name="summary-list"),
    path("audit-summaries/<int:program_id>/", public_views.summary_detail, name="summary-detail"),
    path(
        "audit-summaries/<int:program_id>/v<int:version>/",
        public_views.summary_version,
        name="summary-version",
    ),
    path(
        "audit-summaries/<int:program_id>/verify/",
        public_views.summary_verify,
        name="summary-verify",
    ),
    path("draws/<uuid:public_id>/verify/", public_views.draw_verify, name="draw-verify"),
    path("feed.atom", feeds.publications_feed, name="feed"),
]
