"""Training funds: budget lines and the expenditures charged to them. Money is Decimal."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from training_portal.core.history import tracked
from training_portal.core.model_fields import (
    actor_field,
    check,
    moment_field,
    now_field,
    period_check,
    ref,
    user_ref,
)

from ..choices import ExpenditureStatus, FundCategory
from .organizations import Organization
from .programs import Program


class BudgetLineQuerySet(models.QuerySet["BudgetLine"]):
    def visible_to(self, user: Any) -> BudgetLineQuerySet:
        from ..scopes import budget_line_filter

        return self.filter(budget_line_filter(user))

    def with_spending(self) -> BudgetLineQuerySet:
        """Annotate `approved_total` and `pending_total`."""
        zero = models.Value(0, output_field=models.DecimalField(max_digits=14, decimal_places=2))
        return self.annotate(
            approved_total=models.functions.Coalesce(
                models.Sum("expenditures__amount", filter=Q(expenditures__status="approved")), zero
            ),
            pending_total=models.functions.Coalesce(
                models.Sum("expenditures__amount", filter=Q(expenditures__status="submitted")), zero
            ),
        )


@tracked()
class BudgetLine(models.Model):
    """Money a program allots to a holder organisation for a purpose and a period."""

    Category = FundCategory

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="budget_lines")
    holder = ref(Organization, _("holder"), related_name="budget_lines")
    category = models.CharField(_("purpose category"), max_length=20, choices=FundCategory.choices)
    title = models.CharField(_("title"), max_length=200)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    approver = user_ref(_("approver"), null=True, blank=True)

    objects = BudgetLineQuerySet.as_manager()

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["program", "-start_date", "title"]
        constraints = [
            check(
                Q(amount__gt=0),
                "programs_budget_amount_positive",
                _("The amount must be more than zero."),
            ),
            period_check(
                "programs_budget_period_order", _("The period cannot end before it starts.")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.holder})"


def receipt_path(instance: Expenditure, filename: str) -> str:
    return f"receipts/{timezone.now():%Y/%m}/{instance.line_id}-{filename[-80:]}"


class ExpenditureQuerySet(models.QuerySet["Expenditure"]):
    def visible_to(self, user: Any) -> ExpenditureQuerySet:
        return self.filter(line__in=BudgetLine.objects.visible_to(user))


@tracked()
class Expenditure(models.Model):
    """Spending charged to a budget line; approved by someone other than its submitter."""

    Status = ExpenditureStatus

    line = ref(BudgetLine, _("budget line"), related_name="expenditures")
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    spent_on = models.DateField(_("date"))
    category = models.CharField(_("category"), max_length=20, choices=FundCategory.choices)
    payee = models.CharField(_("payee"), max_length=200)
    description = models.TextField(_("description"))
    receipt = models.FileField(_("receipt"), upload_to=receipt_path, blank=True)
    submitted_by = user_ref()
    submitted_at = now_field(_("submitted at"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.SUBMITTED
    )
    approved_by = actor_field()
    decided_at = moment_field(_("decided at"))
    override_reason = models.TextField(_("reason for exceeding the line"), blank=True)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)

    objects = ExpenditureQuerySet.as_manager()

    class Meta:
        verbose_name = _("expenditure")
        verbose_name_plural = _("expenditures")
        ordering = ["-spent_on", "-id"]
        indexes = [
            models.Index(fields=["line", "status"]),
            models.Index(fields=["payee", "amount", "spent_on"]),
        ]
        constraints = [
            check(
                Q(amount__gt=0),
                "programs_expenditure_amount_positive",
                _("The amount must be more than zero."),
            ),
            check(
                Q(status="submitted") | Q(decided_at__isnull=False),
                "programs_expenditure_decision_time",
                _("A decided expenditure needs the time of the decision."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.payee} {self.amount}"

    @property
    def receipt_name(self) -> str:
        """The receipt's file name as uploaded (stored as ``<line id>-<name>``)."""
        if not self.receipt:
            return ""
        name = PurePosixPath(str(self.receipt.name)).name
        return name.removeprefix(f"{self.line_id}-") or name
