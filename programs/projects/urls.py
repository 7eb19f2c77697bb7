"""URL patterns of the projects pages; included by programs/urls.py under the same namespace."""

from django.urls import URLPattern, path

from training_portal.core.routes import record_pages, record_routes

from . import views

urlpatterns: list[URLPattern] = [
    *record_routes(
        "projects",
        "project",
        views,
        ("list", "detail", "create", "status", "refuse"),
        parent="programs",
    ),
    path(
        "projects/<int:pk>/completion/<str:step>/",
        views.project_completion,
        name="project-completion",
    ),
    *record_pages(
        "projects",
        views,
        {"members/new": "project_member_add", "outputs/new": "project_output_add"},
    ),
    path(
        "projects/<int:pk>/members/<int:member_pk>/remove/",
        views.project_member_remove,
        name="project-member-remove",
    ),
]
