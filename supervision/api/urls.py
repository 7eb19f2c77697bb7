"""API routes of the audits: audit rules, runs, findings."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
