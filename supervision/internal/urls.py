"""Pages of internal supervision (namespace "internal-supervision")."""

from django.urls import URLPattern, URLResolver, path

from training_portal.core.routes import record_routes

from . import views

app_name = "internal-supervision"

urlpatterns: list[URLPattern | URLResolver] = [
    *record_routes(
        "meetings", "meeting", views, ("list", "detail", "edit", "create"), parent="programs"
    ),
    path("rating/", views.rating, name="rating"),
    path("ratings/", views.rating_aggregates, name="rating-aggregates"),
]
