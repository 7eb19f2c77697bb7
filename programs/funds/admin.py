"""Admin of budget lines and expenditures."""

from __future__ import annotations

from django.contrib import admin

from training_portal.core.admin import read_only_rows_inline

from .. import models as m


@admin.register(m.BudgetLine)
class BudgetLineAdmin(admin.ModelAdmin[m.BudgetLine]):
    list_display = ("title", "program", "holder", "category", "amount", "start_date", "end_date")
    list_filter = ("category", "program")
    list_select_related = ("program", "holder")
    inlines = [
        read_only_rows_inline(
            m.Expenditure,
            fields=("spent_on", "amount", "payee", "status", "submitted_by", "approved_by"),
        )
    ]


@admin.register(m.Expenditure)
class ExpenditureAdmin(admin.ModelAdmin[m.Expenditure]):
    """Decisions go through the portal (nobody approves their own); here they are read-only."""

    list_display = ("spent_on", "line", "payee", "amount", "status", "submitted_by", "approved_by")
    list_filter = ("status", "category")
    search_fields = ("payee", "description")
    list_select_related = ("line", "submitted_by", "approved_by")
    readonly_fields = ("status", "approved_by", "decided_at", "override_reason", "rejection_reason")
