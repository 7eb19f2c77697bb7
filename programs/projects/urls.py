"""URL patterns of the projects pages; included by programs/urls.py under the same namespace."""

from django.urls import URLPattern, path

from . import views

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
]
