"""Pages of ledger (namespace `ledger`)."""

from django.urls import URLPattern, URLResolver, path

from training_portal.core.routes import record_routes

from . import views

app_name = "ledger"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.entry_list, name="entry-list"),
    path("leaderboard/", views.leaderboard, name="leaderboard"),
    *record_routes("entries", "entry", views, ("detail", "reverse")),
    path("programs/<int:pk>/rules/", views.rules, name="rules"),
]
