"""Pages of ledger (namespace `ledger`)."""

from django.urls import URLPattern, URLResolver, path

from . import views

app_name = "ledger"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.entry_list, name="entry-list"),
    path("leaderboard/", views.leaderboard, name="leaderboard"),
    path("entries/<int:pk>/", views.entry_detail, name="entry-detail"),
    path("entries/<int:pk>/reverse/", views.entry_reverse, name="entry-reverse"),
    path("programs/<int:pk>/rules/", views.rules, name="rules"),
]
