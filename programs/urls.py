from django.urls import path, re_path

from . import (
    urls_funds,
    urls_organizations,
    urls_placements,
    urls_projects,
    urls_records,
    views,
    views_admin,
    views_attention,
    views_elements,
    views_files,
    views_signoff,
    views_status,
)
from .imports import urls as urls_imports

app_name = "programs"

#: A program's element, by kind (the kinds of `views_elements.KINDS`) and id.
ELEMENT = (
    r"^programs/(?P<pk>[0-9]+)/(?P<kind>objectives|stages|milestones|curriculum|partners)/"
    r"(?P<item>[0-9]+)/"
)

urlpatterns = [
    path("signoff/<str:token>/", views_signoff.signoff, name="signoff"),
    path("students/mine/", views.my_students, name="my-students"),
    path("students/<int:pk>/", views.student_detail, name="student"),
    path(
        "students/<int:pk>/status/<slug:action>/",
        views_status.status_change,
        name="student-status-change",
    ),
    path("students/status-requests/", views_status.status_requests, name="status-requests"),
    path("status-changes/<int:pk>/decide/", views_status.status_decide, name="status-decide"),
    path("students/<int:pk>/destination/", views_status.destination_edit, name="destination"),
    path("students/<int:pk>/follow-up/", views_status.follow_up, name="follow-up"),
    path("students/<int:pk>/logs/new/", views.log_create, name="log-create"),
    path("logs/<int:pk>/acknowledge/", views.log_acknowledge, name="log-acknowledge"),
    path("plan/", views.my_plan, name="my-plan"),
    path("plans/<int:pk>/transition/", views.plan_transition, name="plan-transition"),
    path("programs/", views.program_list, name="program-list"),
    path("programs/<int:pk>/", views.program_detail, name="program-detail"),
    path("placements/to-confirm/", views.placements_to_confirm, name="placements-to-confirm"),
    path("placements/<int:pk>/confirm/", views.placement_confirm, name="placement-confirm"),
    path("programs/new/", views_admin.program_create, name="program-create"),
    path("programs/<int:pk>/objectives/new/", views_admin.objective_add, name="objective-add"),
    path("programs/<int:pk>/stages/new/", views_admin.stage_add, name="stage-add"),
    path(
        "programs/<int:pk>/milestones/new/",
        views_admin.milestone_template_add,
        name="milestone-template-add",
    ),
    path("programs/<int:pk>/curriculum/new/", views_admin.curriculum_add, name="curriculum-add"),
    path("programs/<int:pk>/partners/new/", views_admin.partner_add, name="partner-add"),
    path("programs/<int:pk>/students/new/", views_admin.student_enrol, name="student-enrol"),
    path("programs/<int:pk>/tutors/assign/", views_admin.tutor_assign, name="tutor-assign"),
    path("programs/<int:pk>/edit/", views_elements.program_edit, name="program-edit"),
    path("programs/<int:pk>/close/", views_elements.program_close, name="program-close"),
    path(
        "programs/<int:pk>/transition/",
        views_elements.program_transition,
        name="program-transition",
    ),
    re_path(
        ELEMENT + r"edit/$",
        views_elements.element_edit,
        name="element-edit",
    ),
    re_path(
        ELEMENT + r"remove/$",
        views_elements.element_remove,
        name="element-remove",
    ),
    re_path(
        ELEMENT + r"reinstate/$",
        views_elements.element_reinstate,
        name="element-reinstate",
    ),
    re_path(
        ELEMENT + r"move/$",
        views_elements.element_move,
        name="element-move",
    ),
    path(
        "programs/<int:pk>/curriculum/<int:item>/course/",
        views_elements.course_edit,
        name="course-edit",
    ),
    path("plans/to-approve/", views_attention.plans_to_approve_list, name="plans-to-approve"),
    path(
        "milestones/<int:pk>/evidence/", views_files.milestone_evidence, name="milestone-evidence"
    ),
    path("partners/<int:pk>/agreement/", views_files.partner_agreement, name="partner-agreement"),
    path("milestones/overdue/", views_attention.overdue_milestones_list, name="overdue-milestones"),
]

urlpatterns += (
    urls_funds.urlpatterns
    + urls_projects.urlpatterns
    + urls_imports.urlpatterns
    + urls_records.urlpatterns
    + urls_organizations.urlpatterns
    + urls_placements.urlpatterns
)
