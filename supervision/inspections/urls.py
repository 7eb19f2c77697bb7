"""Pages of external inspections for inspectors, administrators and the inspected side
(namespace "inspections", mounted at /inspections/)."""

from django.urls import URLPattern, URLResolver, path

from training_portal.core.routes import record_routes

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
    path(
        "<int:pk>/checklist/<int:item_pk>/",
        views_workspace.checklist_item,
        name="checklist-item",
    ),
    path("<int:pk>/sample/<int:sampled_pk>/", views_workspace.sample_update, name="sample-update"),
    path(
        "<int:pk>/evidence/<int:file_pk>/download/",
        views_workspace.evidence_download,
        name="evidence-download",
    ),
    *record_routes("", "", views_report, REPORT_PAGES),
    path("<int:pk>/report/<int:section_pk>/", views_report.report_section, name="report-section"),
    path(
        "<int:pk>/reply/sections/<int:section_pk>/comment/",
        views_report.reply_comment,
        name="reply-comment",
    ),
    path(
        "<int:pk>/reply/comments/<int:comment_pk>/answer/",
        views_report.reply_answer,
        name="reply-answer",
    ),
    path("<int:pk>/publication/", views_report.publication_page, name="publication"),
    # Administration: assignments, the pool, templates, draws.
    *record_routes("assignments", "assignment", views_admin, ("list", "create", "revoke")),
    *record_routes("inspectors", "inspector", views_admin, ("list",)),
    path(
        "inspectors/<int:user_pk>/conflicts/new/",
        views_admin.conflict_create,
        name="conflict-create",
    ),
    *record_routes("checklist-templates", "template", views_admin, ("list",)),
    path(
        "checklist-templates/<slug:inspection_type>/",
        views_admin.template_edit,
        name="template-edit",
    ),
    *record_routes("draws", "draw", views_admin, ("list", "create", "detail", "verify", "redo")),
]
