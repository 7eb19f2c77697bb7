"""URL patterns of the placement pages; included by programs/urls.py under the same namespace."""

from django.urls import URLPattern, path

from . import views

urlpatterns: list[URLPattern] = [
    path("placements/to-confirm/", views.placements_to_confirm, name="placements-to-confirm"),
    path("placements/<int:pk>/confirm/", views.placement_confirm, name="placement-confirm"),
    path("placements/", views.placement_list, name="placement-list"),
    path("placements/<int:pk>/", views.placement_detail, name="placement"),
    path("placements/<int:pk>/edit/", views.placement_edit, name="placement-edit"),
    path("placements/<int:pk>/<slug:action>/", views.placement_act, name="placement-act"),
    path("students/<int:pk>/placements/new/", views.placement_create, name="placement-create"),
]
