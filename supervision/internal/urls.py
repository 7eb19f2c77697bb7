"""Pages of internal supervision (namespace "internal-supervision")."""

from django.urls import URLPattern, URLResolver

app_name = "internal-supervision"

urlpatterns: list[URLPattern | URLResolver] = []
