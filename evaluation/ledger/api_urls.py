"""API endpoints of ledger."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
