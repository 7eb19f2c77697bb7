from django.urls import path

from . import (
    urls_funds,
    urls_imports,
    urls_placements,
    urls_projects,
    urls_records,
    views,
    views_admin,
    views_attention,
    views_signoff,
)

app_name = "programs"

urlpatterns = [
    path("signoff/<str:token>/", views_signoff.signoff, name="signoff"),
    path("students/mine/", views.my_students, name="my-students"),
    path("students/<int:pk>/", views.student_detail, name="student"),
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
    path("plans/to-approve/", views_attention.plans_to_approve_list, name="plans-to-approve"),
    path("milestones/overdue/", views_attention.overdue_milestones_list, name="overdue-milestones"),
]

urlpatterns += (
    urls_funds.urlpatterns
    + urls_projects.urlpatterns
    + urls_imports.urlpatterns
    + urls_records.urlpatterns
    + urls_placements.urlpatterns
)
