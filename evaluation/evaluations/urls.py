"""Pages of evaluations (namespace `evaluations`)."""

from django.urls import URLPattern, URLResolver, path

from training_portal.core.routes import record_routes

from . import views

app_name = "evaluations"

urlpatterns: list[URLPattern | URLResolver] = [
    path("mine/", views.mine, name="mine"),
    path("programs/<int:pk>/indicators/", views.indicators, name="indicators"),
    *record_routes(
        "rounds",
        "round",
        views,
        ("create", "list", "detail", "close", "results"),
        parent="programs",
    ),
    path(
        "rounds/<int:pk>/results/<str:kind>/<int:subject>/",
        views.subject_results,
        name="subject-results",
    ),
    path("owed/<int:pk>/", views.submit, name="submit"),
]
