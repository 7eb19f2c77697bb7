"""Admin of the append-only history of records: status changes are read, never edited."""

from __future__ import annotations

from django.contrib import admin

from .. import models as m


class ReadOnlyAppendOnlyAdmin(admin.ModelAdmin):
    """Append-only records (status changes, transitions, corrections) are not edited here."""

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(m.OrganizationStatusChange)
class OrganizationStatusChangeAdmin(ReadOnlyAppendOnlyAdmin):
    list_display = ("organization", "from_status", "to_status", "changed_by", "changed_at")
    list_select_related = ("organization", "changed_by")


@admin.register(m.ProgramStatusChange)
class ProgramStatusChangeAdmin(ReadOnlyAppendOnlyAdmin):
    list_display = ("program", "from_status", "to_status", "changed_by", "changed_at")
    list_select_related = ("program", "changed_by")
