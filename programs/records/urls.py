"""URL patterns of the record files: milestone evidence and partnership agreements."""

from django.urls import URLPattern, path

from . import views

urlpatterns: list[URLPattern] = [
    path("milestones/<int:pk>/evidence/", views.milestone_evidence, name="milestone-evidence"),
    path("partners/<int:pk>/agreement/", views.partner_agreement, name="partner-agreement"),
]
