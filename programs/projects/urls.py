"""URL patterns of the projects pages; included by programs/urls.py under the same namespace."""

from django.urls import URLPattern

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
    *record_pages(
        "projects",
        views,
        {
            "completion/<str:step>": "project_completion",
            "members/new": "project_member_add",
            "outputs/new": "project_output_add",
            "members/<int:member_pk>/remove": "project_member_remove",
        },
    ),
]
