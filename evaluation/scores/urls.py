"""Pages of scores (namespace `partner_scores`)."""

from django.urls import URLPattern, URLResolver, path

from . import views

app_name = "partner_scores"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.ranking, name="ranking"),
    path("formula/", views.formula_page, name="formula"),
    path("runs/new/", views.run_start, name="run-start"),
    path("runs/<int:pk>/", views.ranking, name="run"),
    path("scores/<int:pk>/", views.score_detail, name="score"),
    path("scores/<int:pk>/decide/", views.decide, name="decide"),
    path("organisations/<int:pk>/", views.organization_scores, name="organization"),
    path("recommendations/", views.recommendation_list, name="recommendations"),
]
