"""API endpoints of evaluations."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
