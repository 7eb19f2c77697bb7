"""Pages of the findings: the list and a finding's page with its moves."""

from django.urls import URLPattern, URLResolver, path

from . import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("findings/", views.finding_list, name="finding-list"),
    path("findings/<int:pk>/", views.finding_detail, name="finding-detail"),
    path("findings/<int:pk>/transition/", views.finding_transition, name="finding-transition"),
    path("findings/<int:pk>/assign/", views.finding_assign, name="finding-assign"),
    path(
        "findings/<int:pk>/corrective-action/",
        views.finding_corrective_action,
        name="finding-corrective-action",
    ),
]
