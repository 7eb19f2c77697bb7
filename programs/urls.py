from django.urls import path

from . import views, views_signoff

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
]
