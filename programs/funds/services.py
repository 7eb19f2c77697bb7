"""Training funds: budget lines, and expenditures charged to them, submitted by one person and
decided by another. Money is Decimal; approvals are serialised per line, so two approvals
cannot together overspend it unnoticed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from training_portal.core.formats import format_date
from training_portal.core.notifications import notify
from training_portal.core.validation import PDF_OR_IMAGE, upload_error, validated_save

from ..models import BudgetLine, Expenditure, Organization, Program
from ..scopes import administers, program_admin_ids
from .permissions import can_decide_expenditure, can_manage_budget, can_submit_expenditure

__all__ = [
    "RECEIPT",
    "approve_expenditure",
    "create_budget_line",
    "reject_expenditure",
    "spending_date_errors",
    "submit_expenditure",
]

Status = Expenditure.Status
CENT = Decimal("0.01")
#: Accepted receipts: PDF, JPEG or PNG (checked by their first bytes, not only their name).
RECEIPT: Mapping[str, bytes] = PDF_OR_IMAGE
_NOTIFICATIONS = "programs/notifications"


@transaction.atomic
def create_budget_line(
    *,
    user: User,
    program: Program,
    holder: Organization,
    category: str,
    title: str,
    amount: Decimal | int | str,
    start_date: dt.date,
    end_date: dt.date,
    approver: User | None = None,
) -> BudgetLine:
    """Allot money of the program to a partner organisation for a purpose and a period."""
    if not can_manage_budget(user, program):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    money = _money(amount, errors)
    if not _takes_part(holder, program):
        errors["holder"] = [
            _("The holder must be the lead university or a partner of the program.")
        ]
    return validated_save(
        BudgetLine(
            program=program,
            holder=holder,
            category=category,
            title=(title or "").strip(),
            amount=money,
            start_date=start_date,
            end_date=end_date,
            approver=approver,
        ),
        errors=errors,
        constraint_fields={
            "programs_budget_amount_positive": "amount",
            "programs_budget_period_order": "end_date",
        },
    )


@transaction.atomic
def submit_expenditure(
    *,
    user: User,
    line: BudgetLine,
    amount: Decimal | int | str,
    spent_on: dt.date,
    category: str,
    payee: str,
    description: str,
    receipt: File[Any] | None = None,
) -> Expenditure:
    """Charge spending to a line; whoever decides on it is told."""
    if not can_submit_expenditure(user, line):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    money = _money(amount, errors)
    if spent_on and (date_errors := spending_date_errors(line, spent_on)):
        errors["spent_on"] = date_errors
    if receipt is not None and (
        message := upload_error(
            receipt,
            signatures=RECEIPT,
            wrong_type=_("Upload the receipt as a PDF, JPEG or PNG file."),
        )
    ):
        errors["receipt"] = [message]
    expenditure = Expenditure(
        line=line,
        amount=money,
        spent_on=spent_on,
        category=category,
        payee=(payee or "").strip(),
        description=(description or "").strip(),
        submitted_by=user,
    )
    if receipt is not None and "receipt" not in errors:
        expenditure.receipt = receipt
    validated_save(
        expenditure,
        errors=errors,
        constraint_fields={"programs_expenditure_amount_positive": "amount"},
    )
    for decider in _deciders(line, besides=user):
        notify(
            recipient=decider,
            template=f"{_NOTIFICATIONS}/expenditure_submitted",
            context=_expenditure_context(expenditure, line, actor=user),
        )
    return expenditure


@transaction.atomic
def approve_expenditure(
    *, user: User, expenditure: Expenditure, override_reason: str = ""
) -> Expenditure:
    """Approve spending; beyond what is left on the line only with a reason, which is kept."""
    _check_decider(user, expenditure)
    # Every approval locks its line first, so the approved total below cannot change under us.
    line = BudgetLine.objects.select_for_update().get(pk=expenditure.line_id)
    expenditure.refresh_from_db(from_queryset=Expenditure.objects.select_for_update())
    expenditure.line = line
    _check_decider(user, expenditure)
    reason = (override_reason or "").strip()
    spending = BudgetLine.objects.with_spending().get(pk=line.pk)
    approved = Decimal(spending.approved_total)  # type: ignore[attr-defined]  # annotated
    over = approved + expenditure.amount > line.amount
    if over and not reason:
        raise ValidationError(
            {
                "override_reason": [
                    _(
                        "Approving %(amount)s would bring “%(line)s” to %(total)s, over its "
                        "%(limit)s; say why it should be approved anyway."
                    )
                    % {
                        "amount": expenditure.amount,
                        "line": line.title,
                        "total": approved + expenditure.amount,
                        "limit": line.amount,
                    }
                ]
            }
        )
    expenditure.status = Status.APPROVED
    expenditure.approved_by = user
    expenditure.decided_at = timezone.now()
    expenditure.override_reason = reason if over else ""
    expenditure.save(update_fields=["status", "approved_by", "decided_at", "override_reason"])
    _tell_submitter(expenditure, "expenditure_approved", actor=user)
    return expenditure


@transaction.atomic
def reject_expenditure(*, user: User, expenditure: Expenditure, reason: str) -> Expenditure:
    """Refuse spending, saying why; the submitter is told."""
    _check_decider(user, expenditure)
    expenditure.refresh_from_db(from_queryset=Expenditure.objects.select_for_update())
    _check_decider(user, expenditure)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the expenditure is rejected.")]})
    expenditure.status = Status.REJECTED
    expenditure.decided_at = timezone.now()
    expenditure.rejection_reason = reason
    expenditure.save(update_fields=["status", "decided_at", "rejection_reason"])
    _tell_submitter(expenditure, "expenditure_rejected", actor=user)
    return expenditure


# ---- Helpers -------------------------------------------------------------------------------


def _money(value: Decimal | int | str, errors: dict[str, list[str]]) -> Decimal:
    """`value` as an amount of money in whole cents; `errors` says if it is not one."""
    if isinstance(value, float):
        raise TypeError("Money is Decimal, never float.")
    try:
        amount = Decimal(str(value).strip())
        cents = amount.quantize(CENT)
    except (InvalidOperation, ValueError):
        errors["amount"] = [_("Enter an amount such as 1250.00.")]
        return Decimal(0)
    if amount <= 0:
        errors["amount"] = [_("The amount must be more than zero.")]
    elif cents != amount:
        errors["amount"] = [_("The amount can have at most two decimal places.")]
    return cents


def _takes_part(organization: Organization, program: Program) -> bool:
    return organization.pk == program.lead_university_id or (
        program.partners.filter(organization=organization, is_active=True).exists()
    )


def _decides_on(user: Any, line: BudgetLine) -> bool:
    """May decide on the line's expenditures, their state and submitter aside."""
    return administers(user, line.program) or (
        line.approver_id is not None and line.approver_id == getattr(user, "pk", None)
    )


def _check_decider(user: User, expenditure: Expenditure) -> None:
    if can_decide_expenditure(user, expenditure):
        return
    if getattr(user, "pk", None) == expenditure.submitted_by_id:
        raise PermissionDenied(_("Nobody approves or rejects their own expenditure."))
    if expenditure.status != Status.SUBMITTED and _decides_on(user, expenditure.line):
        raise ValidationError(
            {
                NON_FIELD_ERRORS: [
                    _("This expenditure was already decided (%(status)s) on %(date)s.")
                    % {
                        "status": expenditure.get_status_display(),
                        "date": format_date(expenditure.decided_at or timezone.now()),
                    }
                ]
            }
        )
    raise PermissionDenied


def _deciders(line: BudgetLine, *, besides: User) -> Iterable[User]:
    """Who is told of a new expenditure: the line's approver, else the program's administrators."""
    if line.approver_id is not None:
        approvers = User.objects.filter(pk=line.approver_id, is_active=True)
    else:
        approvers = User.objects.filter(pk__in=program_admin_ids([line.program_id]), is_active=True)
    return approvers.exclude(pk=besides.pk)


def _tell_submitter(expenditure: Expenditure, template: str, *, actor: User) -> None:
    notify(
        recipient=expenditure.submitted_by,
        template=f"{_NOTIFICATIONS}/{template}",
        context=_expenditure_context(expenditure, expenditure.line, actor=actor),
    )


def _expenditure_context(
    expenditure: Expenditure, line: BudgetLine, *, actor: User
) -> dict[str, Any]:
    """What the expenditure notifications show, as plain values (rendered when read)."""
    return {
        "actor": {"full_name": actor.full_name},
        "expenditure": {
            "amount": expenditure.amount,
            "payee": expenditure.payee,
            "spent_on": expenditure.spent_on,
            "description": expenditure.description,
            "override_reason": expenditure.override_reason,
            "rejection_reason": expenditure.rejection_reason,
        },
        "line": {"title": line.title, "program": {"code": line.program.code}},
    }


def spending_date_errors(line: BudgetLine, spent_on: dt.date) -> list[str]:
    """Why money cannot be charged to `line` on `spent_on` (the form checks it too)."""
    if line.start_date <= spent_on <= line.end_date:
        return []
    return [
        _("The date must fall within the line's period, %(start)s to %(end)s.")
        % {"start": format_date(line.start_date), "end": format_date(line.end_date)}
    ]
