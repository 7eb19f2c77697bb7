"""Admin of placements."""

from __future__ import annotations

from django.contrib import admin

from .. import models as m


@admin.register(m.Placement)
class PlacementAdmin(admin.ModelAdmin[m.Placement]):
    list_display = (
        "student",
        "host",
        "practice_tutor",
        "start_date",
        "end_date",
        "status",
        "confirmed_at",
    )
    list_filter = ("status", "host")
    list_select_related = ("student__user", "host", "practice_tutor__user")
