"""URL patterns of the record pages: log edits and corrections, milestone and record sign-off."""

from django.urls import path

from . import views_records

urlpatterns = [
    path("logs/<int:pk>/edit/", views_records.log_edit, name="log-edit"),
    path("logs/<int:pk>/correction/", views_records.log_correction, name="log-correction"),
    path(
        "milestones/<int:pk>/sign-off/", views_records.milestone_sign_off, name="milestone-sign-off"
    ),
    path(
        "signoff/request/<str:kind>/<int:pk>/",
        views_records.signoff_request,
        name="signoff-request",
    ),
]
