"""Pages of evaluations (namespace `evaluations`)."""

from django.urls import URLPattern, URLResolver, path

from . import views

app_name = "evaluations"

urlpatterns: list[URLPattern | URLResolver] = [
    path("mine/", views.mine, name="mine"),
    path("programs/<int:pk>/indicators/", views.indicators, name="indicators"),
    path("programs/<int:pk>/rounds/new/", views.round_create, name="round-create"),
    path("rounds/", views.round_list, name="round-list"),
    path("rounds/<int:pk>/", views.round_detail, name="round-detail"),
    path("rounds/<int:pk>/close/", views.round_close, name="round-close"),
    path("rounds/<int:pk>/results/", views.round_results, name="round-results"),
    path(
        "rounds/<int:pk>/results/<str:kind>/<int:subject>/",
        views.subject_results,
        name="subject-results",
    ),
    path("owed/<int:pk>/", views.submit, name="submit"),
]
