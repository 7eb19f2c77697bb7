"""The reports in the Django admin: read only (they are made by their jobs)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from training_portal.core.admin import RecordAdmin

from ..models import Report


@admin.register(Report)
class ReportAdmin(RecordAdmin):
    list_display = ["id", "kind", "program", "organization", "student", "year", "created_at"]
    list_filter = ["kind"]
    list_select_related = ["program", "organization", "student__user"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
