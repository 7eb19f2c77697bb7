"""Pages of the audits: the dashboard, the runs, the rule settings."""

from django.urls import URLPattern, URLResolver, path

from training_portal.core.routes import record_routes

from . import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.dashboard, name="dashboard"),
    *record_routes("runs", "run", views, ("list", "detail", "progress")),
    path("rules/", views.rule_settings, name="rule-settings"),
]
