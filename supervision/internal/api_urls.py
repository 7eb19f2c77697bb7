"""API routes of internal supervision: review meetings, supervision ratings."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
