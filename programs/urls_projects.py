"""URL patterns of the projects pages; included by programs/urls.py under the same namespace."""

from django.urls import URLPattern, path

from . import views_cases
from . import views_projects as views

urlpatterns: list[URLPattern] = [
    path("projects/", views.project_list, name="project-list"),
    path("projects/<int:pk>/", views.project_detail, name="project-detail"),
    path("programs/<int:pk>/projects/new/", views.project_create, name="project-create"),
    path("projects/<int:pk>/status/", views.project_status, name="project-status"),
    path("projects/<int:pk>/refuse/", views.project_refuse, name="project-refuse"),
    path(
        "projects/<int:pk>/completion/<str:step>/",
        views.project_completion,
        name="project-completion",
    ),
    path("projects/<int:pk>/members/new/", views.project_member_add, name="project-member-add"),
    path(
        "projects/<int:pk>/members/<int:member_pk>/remove/",
        views.project_member_remove,
        name="project-member-remove",
    ),
    path("projects/<int:pk>/outputs/new/", views.project_output_add, name="project-output-add"),
    path("cases/new/", views.case_log_create, name="case-log-create"),
    path("cases/to-answer/", views_cases.my_cases_to_answer, name="my-cases-to-answer"),
    path("cases/to-verify/", views.cases_to_verify, name="cases-to-verify"),
    path("cases/<int:pk>/verify/", views.case_log_verify, name="case-log-verify"),
    path("cases/<int:pk>/query/", views_cases.case_log_query, name="case-log-query"),
    path("cases/<int:pk>/reject/", views_cases.case_log_reject, name="case-log-reject"),
    path("cases/<int:pk>/answer/", views_cases.case_log_answer, name="case-log-answer"),
]
