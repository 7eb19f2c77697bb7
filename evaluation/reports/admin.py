"""The reports in the Django admin: read only (they are made by their jobs)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from ..models import Report


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin[Report]):
    list_display = ["id", "kind", "program", "organization", "student", "year", "created_at"]
    list_filter = ["kind"]
    list_select_related = ["program", "organization", "student__user"]
    readonly_fields = [field.name for field in Report._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
