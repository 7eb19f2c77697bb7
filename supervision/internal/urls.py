"""Pages of internal supervision (namespace "internal-supervision")."""

from django.urls import URLPattern, URLResolver, path

from . import views

app_name = "internal-supervision"

urlpatterns: list[URLPattern | URLResolver] = [
    path("meetings/", views.meeting_list, name="meeting-list"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting-detail"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="meeting-edit"),
    path("programs/<int:pk>/meetings/new/", views.meeting_create, name="meeting-create"),
    path("rating/", views.rating, name="rating"),
    path("ratings/", views.rating_aggregates, name="rating-aggregates"),
]
