"""Django admin for the reward ledger: read-only lists for lookups by portal administrators
(the ledger is append-only; rules are edited on the program's ledger page, with history)."""

from __future__ import annotations

from django.contrib import admin

from training_portal.core.admin import ReadOnlyAdmin

from ..models import RewardEntry, RewardRule


@admin.register(RewardRule)
class RewardRuleAdmin(ReadOnlyAdmin):
    list_display = ["program", "size", "points"]
    list_filter = ["size"]


@admin.register(RewardEntry)
class RewardEntryAdmin(ReadOnlyAdmin):
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
