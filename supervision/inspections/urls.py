"""Pages of external inspections for inspectors, administrators and the inspected side
(namespace "inspections", mounted at /inspections/)."""

from django.urls import URLPattern, URLResolver, path

from . import views, views_admin, views_report, views_workspace

app_name = "inspections"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.inspection_list, name="inspection-list"),
    path("calendar/", views.inspection_calendar, name="calendar"),
    path("new/", views_admin.inspection_create, name="inspection-create"),
    # The workspace of one inspection.
    path("<int:pk>/", views.inspection_detail, name="inspection-detail"),
    path("<int:pk>/start/", views.inspection_start, name="inspection-start"),
    path("<int:pk>/cancel/", views.inspection_cancel, name="inspection-cancel"),
    path("<int:pk>/checklist/", views_workspace.checklist, name="checklist"),
    path(
        "<int:pk>/checklist/<int:item_pk>/",
        views_workspace.checklist_item,
        name="checklist-item",
    ),
    path("<int:pk>/sample/", views_workspace.sample, name="sample"),
    path("<int:pk>/sample/<int:sampled_pk>/", views_workspace.sample_update, name="sample-update"),
    path("<int:pk>/observations/", views_workspace.observations, name="observations"),
    path("<int:pk>/evidence/", views_workspace.evidence, name="evidence"),
    path(
        "<int:pk>/evidence/<int:file_pk>/download/",
        views_workspace.evidence_download,
        name="evidence-download",
    ),
    path("<int:pk>/findings/", views_workspace.findings, name="findings"),
    path("<int:pk>/report/", views_report.report, name="report"),
    path("<int:pk>/report/<int:section_pk>/", views_report.report_section, name="report-section"),
    path("<int:pk>/reply/", views_report.reply, name="reply"),
    path("<int:pk>/reply/open/", views_report.reply_open, name="reply-open"),
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
    path(
        "<int:pk>/publication/request/",
        views_report.publication_request,
        name="publication-request",
    ),
    path(
        "<int:pk>/publication/approve/",
        views_report.publication_approve,
        name="publication-approve",
    ),
    path(
        "<int:pk>/publication/return/", views_report.publication_return, name="publication-return"
    ),
    path(
        "<int:pk>/publication/correction/",
        views_report.publication_correction,
        name="publication-correction",
    ),
    # Administration: assignments, the pool, templates, draws.
    path("assignments/", views_admin.assignment_list, name="assignment-list"),
    path("assignments/new/", views_admin.assignment_create, name="assignment-create"),
    path("assignments/<int:pk>/revoke/", views_admin.assignment_revoke, name="assignment-revoke"),
    path("inspectors/", views_admin.inspector_list, name="inspector-list"),
    path(
        "inspectors/<int:user_pk>/conflicts/new/",
        views_admin.conflict_create,
        name="conflict-create",
    ),
    path("checklist-templates/", views_admin.template_list, name="template-list"),
    path(
        "checklist-templates/<slug:inspection_type>/",
        views_admin.template_edit,
        name="template-edit",
    ),
    path("draws/", views_admin.draw_list, name="draw-list"),
    path("draws/new/", views_admin.draw_create, name="draw-create"),
    path("draws/<int:pk>/", views_admin.draw_detail, name="draw-detail"),
    path("draws/<int:pk>/verify/", views_admin.draw_verify, name="draw-verify"),
    path("draws/<int:pk>/redo/", views_admin.draw_redo, name="draw-redo"),
]
