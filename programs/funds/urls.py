"""URL patterns of the funds pages; included by programs/urls.py under the same namespace."""

from django.urls import URLPattern

from training_portal.core.routes import record_routes

from . import views

urlpatterns: list[URLPattern] = [
    *record_routes("budget", "budget_line", views, ("list", "create", "detail"), parent="programs"),
    *record_routes(
        "expenditures",
        "expenditure",
        views,
        ("create", "list", "detail", "approve", "reject", "receipt"),
        parent="budget",
    ),
]
