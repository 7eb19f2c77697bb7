"""Django admin for the reward ledger: read-only lists for lookups by portal administrators
(the ledger is append-only; rules are edited on the program's ledger page, with history)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from ..models import RewardEntry, RewardRule


class _ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg,unused-ignore]
    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(RewardRule)
class RewardRuleAdmin(_ReadOnly):
    list_display = ["program", "size", "points"]
    list_filter = ["size"]


@admin.register(RewardEntry)
class RewardEntryAdmin(_ReadOnly):
    list_display = [
        "pk",
        "program",
        "project",
        "user",
        "organization",
        "kind",
        "points",
        "earned_on",
    ]
    list_filter = ["kind"]
    list_select_related = ["program", "project", "user", "organization"]
    raw_id_fields = ["program", "project", "user", "organization", "reverses", "created_by"]
    date_hierarchy = "earned_on"
