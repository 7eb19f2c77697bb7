from typing import Any

from django.contrib import admin
from django.db import models

from .models import Job, Notification, SeedRecord


class ReadOnlyAdmin(admin.ModelAdmin):
    """A list for lookups: changes go through the pages and the API, whose services keep the
    rules and the history."""

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    """The rows of a read-only record (or of a record's history), listed under it: every field
    shown (`fields`, else `readonly_fields`) is read-only, and rows are never added or deleted."""

    extra = 0
    can_delete = False

    def get_readonly_fields(self, request: Any, obj: Any = None) -> Any:
        return self.fields or self.readonly_fields

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False


def rows_inline(model: type[models.Model], **options: Any) -> type[admin.TabularInline[Any, Any]]:
    """An inline of `model`'s rows, edited under their parent, with no empty extra row."""
    return type(
        f"{model.__name__}Inline", (admin.TabularInline,), {"model": model, "extra": 0, **options}
    )


def read_only_rows_inline(model: type[models.Model], **options: Any) -> type[ReadOnlyInline]:
    """A `ReadOnlyInline` of `model`'s rows (the history under a record, say)."""
    return type(f"{model.__name__}Inline", (ReadOnlyInline,), {"model": model, **options})


class RecordAdmin(admin.ModelAdmin):
    """Records the portal writes itself: never added here, and every field is read-only
    (unless the admin names its `readonly_fields`)."""

    def get_readonly_fields(self, request: Any, obj: Any = None) -> Any:
        return self.readonly_fields or [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Job)
class JobAdmin(RecordAdmin):
    list_display = (
        "id",
        "kind",
        "owner",
        "status",
        "progress_done",
        "progress_total",
        "attempts",
        "created_at",
    )
    list_filter = ("status", "kind")
    search_fields = ("owner__email", "input_name", "message")
    list_select_related = ("owner",)


@admin.register(Notification)
class NotificationAdmin(RecordAdmin):
    list_display = ("id", "recipient", "title", "created_at", "read_at", "emailed_at")
    list_filter = ("read_at", "email_requested")
    search_fields = ("recipient__email", "title")
    list_select_related = ("recipient",)


@admin.register(SeedRecord)
class SeedRecordAdmin(RecordAdmin):
    """Which demo pieces were loaded; deleting a record lets the next `seed_demo` load that
    piece again (on top of whatever is there)."""

    list_display = ("name", "origin", "seeded_at")
    readonly_fields = ("name", "origin", "seeded_at")
