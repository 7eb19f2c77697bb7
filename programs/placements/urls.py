"""URL patterns of the placement pages; included by programs/urls.py under the same namespace."""

from django.urls import URLPattern, path

from training_portal.core.routes import record_routes

from . import views

urlpatterns: list[URLPattern] = [
    path("placements/to-confirm/", views.placements_to_confirm, name="placements-to-confirm"),
    # Before `placement-act`, whose `<slug:action>` would take "confirm" and "edit".
    *record_routes(
        "placements", "placement", views, ("confirm", "list", "edit", "create"), parent="students"
    ),
    path("placements/<int:pk>/", views.placement_detail, name="placement"),
    path("placements/<int:pk>/<slug:action>/", views.placement_act, name="placement-act"),
]
