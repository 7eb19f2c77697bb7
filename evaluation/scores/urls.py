"""Pages of scores (namespace `partner_scores`)."""

from django.urls import URLPattern

app_name = "partner_scores"

urlpatterns: list[URLPattern] = []
