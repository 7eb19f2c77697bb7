"""Forms of the funds pages: they read input; the funds services hold the rules (amounts more
than zero, dates within the line's period, receipt types and sizes, who decides)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from training_portal.core.forms import BootstrapForm, text_area

from ..models import BudgetLine, Expenditure, Organization, Program
from ..models.funds import FundCategory
from ..scopes import coordinator_ids, program_admin_ids
from .services import spending_date_errors

DATE = {"type": "date"}
#: Amounts as typed; the service says what is wrong with them (zero, negative, too precise).
AMOUNT = {"inputmode": "decimal", "autocomplete": "off"}
RECEIPT_TYPES = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"


def _amount_field() -> forms.DecimalField:
    return forms.DecimalField(
        label=_("Amount"),
        max_digits=14,
        widget=forms.TextInput(attrs=AMOUNT),
        help_text=_("For example 1250.00"),
    )


class BudgetLineForm(BootstrapForm):
    """A line of the program's budget, held by the lead university or a partner."""

    checked_model = BudgetLine

    holder = forms.ModelChoiceField(label=_("Holder"), queryset=Organization.objects.none())
    category = forms.ChoiceField(label=_("Purpose category"), choices=FundCategory.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    amount = _amount_field()
    start_date = forms.DateField(label=_("Start date"), widget=forms.DateInput(attrs=DATE))
    end_date = forms.DateField(label=_("End date"), widget=forms.DateInput(attrs=DATE))
    approver = forms.ModelChoiceField(
        label=_("Approver"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("Who decides on the line's expenditures besides the program's administrators."),
    )

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        taking_part = Q(pk=program.lead_university_id) | Q(
            partnerships__program=program, partnerships__is_active=True
        )
        self.fields["holder"].queryset = (  # type: ignore[attr-defined]
            Organization.objects.filter(taking_part).distinct().order_by("name")
        )
        self.fields["approver"].queryset = approvers_for(program)  # type: ignore[attr-defined]


def approvers_for(program: Program) -> QuerySet[User]:
    """People who may be named approver: the program's administrators and the coordinators of
    the organisations taking part in it."""
    organizations = Organization.objects.filter(
        Q(pk=program.lead_university_id)
        | Q(partnerships__program=program, partnerships__is_active=True)
    ).values("pk")
    return User.objects.filter(
        Q(pk__in=program_admin_ids([program.pk])) | Q(pk__in=coordinator_ids(organizations)),
        is_active=True,
    ).order_by("full_name", "email")


class ExpenditureForm(BootstrapForm):
    """Spending charged to a line, with its receipt."""

    checked_model = Expenditure

    amount = _amount_field()
    spent_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs=DATE))
    category = forms.ChoiceField(label=_("Category"), choices=FundCategory.choices)
    payee = forms.CharField(label=_("Payee"), max_length=200)
    description = text_area(_("Description"), rows=3, required=True)
    receipt = forms.FileField(
        label=_("Receipt (PDF, JPEG or PNG)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": RECEIPT_TYPES}),
    )

    def __init__(self, *args: Any, line: BudgetLine | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.line = line

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        spent_on = self.cleaned_data.get("spent_on")
        if self.line is not None and spent_on is not None:
            for message in spending_date_errors(self.line, spent_on):
                self.add_error("spent_on", message)
        return cleaned


class ApproveForm(BootstrapForm):
    override_reason = text_area(
        _("Reason to exceed the line"),
        rows=2,
        help_text=_("Needed only when the approval would take the line over its amount."),
    )


class RejectForm(BootstrapForm):
    # Required by the service, which says why; the form only carries the text.
    reason = text_area(_("Reason for rejection"), rows=2)
