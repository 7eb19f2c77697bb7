"""Pages of the findings: the list and a finding's page with its moves."""

from django.urls import URLPattern, URLResolver

from training_portal.core.routes import record_routes

from . import views

urlpatterns: list[URLPattern | URLResolver] = [
    *record_routes(
        "findings",
        "finding",
        views,
        ("list", "detail", "transition", "assign", "corrective-action"),
    ),
]
