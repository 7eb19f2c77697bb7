"""Pages of the audits (namespace "supervision", mounted at /audits/)."""

from django.urls import URLPattern, URLResolver, path

from . import views, views_settings

app_name = "supervision"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.dashboard, name="dashboard"),
    path("runs/", views.run_list, name="run-list"),
    path("runs/<int:pk>/", views.run_detail, name="run-detail"),
    path("runs/<int:pk>/progress/", views.run_progress, name="run-progress"),
    path("findings/", views.finding_list, name="finding-list"),
    path("findings/<int:pk>/", views.finding_detail, name="finding-detail"),
    path("findings/<int:pk>/transition/", views.finding_transition, name="finding-transition"),
    path("findings/<int:pk>/assign/", views.finding_assign, name="finding-assign"),
    path(
        "findings/<int:pk>/corrective-action/",
        views.finding_corrective_action,
        name="finding-corrective-action",
    ),
    path("rules/", views_settings.rule_settings, name="rule-settings"),
]
