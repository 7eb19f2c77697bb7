"""Pages of external inspections for inspectors, administrators and the inspected side
(namespace "inspections", mounted at /inspections/)."""

from django.urls import URLPattern, URLResolver, path

from training_portal.core.routes import record_pages, record_routes

from . import views, views_admin, views_report, views_workspace

app_name = "inspections"

#: The report's pages of one inspection (`<int:pk>/reply/open/`: `views_report.reply_open`).
REPORT_PAGES = (
    "report",
    "reply",
    "reply/open",
    "publication/request",
    "publication/approve",
    "publication/return",
    "publication/correction",
)

urlpatterns: list[URLPattern | URLResolver] = [
    path("calendar/", views.inspection_calendar, name="calendar"),
    *record_routes("", "inspection", views_admin, ("create",)),
    # The workspace of one inspection.
    *record_routes("", "inspection", views, ("list", "detail", "start", "cancel")),
    *record_routes(
        "", "", views_workspace, ("checklist", "sample", "observations", "evidence", "findings")
    ),
    *record_pages(
        "",
        views_workspace,
        {
            "checklist/<int:row_pk>": "checklist_item",
            "sample/<int:row_pk>": "sample_update",
            "evidence/<int:file_pk>/download": "evidence_download",
        },
    ),
    *record_routes("", "", views_report, REPORT_PAGES),
    *record_pages(
        "",
        views_report,
        {
            "report/<int:section_pk>": "report_section",
            "reply/sections/<int:section_pk>/comment": "reply_comment",
            "reply/comments/<int:comment_pk>/answer": "reply_answer",
        },
    ),
    path("<int:pk>/publication/", views_report.publication_page, name="publication"),
    # Administration: assignments, the pool, templates, draws.
    *record_routes("assignments", "assignment", views_admin, ("list", "create", "revoke")),
    *record_routes("inspectors", "inspector", views_admin, ("list",)),
    *record_pages(
        "inspectors", views_admin, {"conflicts/new": "conflict_create"}, pk="<int:user_pk>"
    ),
    *record_routes("checklist-templates", "template", views_admin, ("list",)),
    # One template per inspection type: its page is the type itself.
    *record_pages(
        "checklist-templates", views_admin, {"": "template_edit"}, pk="<slug:inspection_type>"
    ),
    *record_routes("draws", "draw", views_admin, ("list", "create", "detail", "verify", "redo")),
]
