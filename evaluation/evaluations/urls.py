"""Pages of evaluations (namespace `evaluations`)."""

from django.urls import URLPattern, URLResolver, path

from training_portal.core.routes import record_pages, record_routes

from . import views

app_name = "evaluations"

urlpatterns: list[URLPattern | URLResolver] = [
    path("mine/", views.mine, name="mine"),
    *record_pages("programs", views, {"indicators": "indicators"}),
    *record_routes(
        "rounds",
        "round",
        views,
        ("create", "list", "detail", "close", "results"),
        parent="programs",
    ),
    *record_pages("rounds", views, {"results/<str:kind>/<int:subject>": "subject_results"}),
    *record_pages("owed", views, {"": "submit"}),
]
