"""Training funds in the browser: budget lines, the expenditures charged to them, decisions.

Reads start from `visible_to(request.user)` (outside it: 404); actions are checked with the
funds predicates (allowed read, forbidden action: 403) and done by one service call. A
service's ValidationError is shown on the form (200); its refusal (nobody decides on their own
spending) is shown as a message on the expenditure's page, with 403.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_filters import FilterSet

from accounts.permissions import is_portal_admin
from accounts.typing import AuthenticatedHttpRequest
from training_portal.core.files import serve_file
from training_portal.core.pages import page_of, permitted, submit
from training_portal.core.permissions import is_active_user, require

from ..models import BudgetLine, Expenditure, Program
from ..scopes import administered_program_ids
from . import services as funds
from .filters import BudgetLineFilter, ExpenditureFilter
from .forms import (
    ApproveForm,
    BudgetLineForm,
    ExpenditureForm,
    RejectForm,
)
from .permissions import can_decide_expenditure, can_manage_budget, can_submit_expenditure

PER_PAGE = 25
MONEY = DecimalField(max_digits=16, decimal_places=2)
ZERO = Decimal("0.00")


# ---- Budget lines --------------------------------------------------------------------------


def _lines(user: Any) -> QuerySet[BudgetLine]:
    return (
        BudgetLine.objects.visible_to(user)
        .with_spending()
        .annotate(
            remaining=ExpressionWrapper(F("amount") - F("approved_total"), output_field=MONEY)
        )
        .select_related("program", "holder", "approver")
    )


def _managed_programs(user: Any) -> QuerySet[Program]:
    """Programs in which the user may open budget lines."""
    if is_portal_admin(user):
        return Program.objects.order_by("code")
    return Program.objects.filter(pk__in=administered_program_ids(user)).order_by("code")


@require(is_active_user)
@require_GET
def budget_line_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    filters = BudgetLineFilter(
        request.GET or None, queryset=_lines(user), request=request, page=True
    )
    lines, status = _valid_or_refused(filters)
    totals = _line_totals(lines)
    page = Paginator(lines.order_by("program__code", "-start_date", "title", "pk"), PER_PAGE)
    return render(
        request,
        "programs/funds/budget_line_list.html",
        {
            "page": page.get_page(request.GET.get("page")),
            "form": filters.form,
            "totals": totals,
            "managed_programs": _managed_programs(user),
        },
        status=status,
    )


def _valid_or_refused(filters: FilterSet) -> tuple[QuerySet[Any], int]:
    """The filtered rows, or none with 400 when a filter is invalid (shown on the form)."""
    if filters.is_bound and not filters.is_valid():
        return filters.queryset.none(), 400
    return filters.qs, 200


def _line_totals(lines: QuerySet[BudgetLine]) -> dict[str, Decimal]:
    """Amount, approved, pending and remaining over the lines: two aggregate queries."""
    ids = lines.values("pk")
    amount = BudgetLine.objects.filter(pk__in=ids).aggregate(
        amount=Coalesce(Sum("amount"), ZERO, output_field=MONEY)
    )["amount"]
    spent = Expenditure.objects.filter(line__in=ids).aggregate(
        approved=Coalesce(Sum("amount", filter=Q(status="approved")), ZERO, output_field=MONEY),
        pending=Coalesce(Sum("amount", filter=Q(status="submitted")), ZERO, output_field=MONEY),
    )
    return {
        "amount": amount,
        "approved": spent["approved"],
        "pending": spent["pending"],
        "remaining": amount - spent["approved"],
    }


@login_required
@require_http_methods(["GET", "POST"])
def budget_line_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    programs = Program.objects.visible_to(request.user).select_related("lead_university")
    program = permitted(programs, request.user, can_manage_budget, pk=pk)
    form = BudgetLineForm(request.POST or None, program=program)
    return submit(
        request,
        form,
        lambda data: funds.create_budget_line(user=request.user, program=program, **data),
        success=_("The budget line has been created."),
        redirect_to=lambda line: reverse("programs:budget-line-detail", args=[line.pk]),
        page=lambda: render(
            request, "programs/funds/budget_line_form.html", {"form": form, "program": program}
        ),
    )


@login_required
@require_GET
def budget_line_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    line = get_object_or_404(_lines(request.user), pk=pk)
    expenditures = (
        Expenditure.objects.visible_to(request.user)
        .filter(line=line)
        .select_related("submitted_by", "approved_by")
    )
    page = page_of(request, expenditures, PER_PAGE)
    return render(
        request,
        "programs/funds/budget_line_detail.html",
        {
            "line": line,
            "page": page,
            "can_submit": can_submit_expenditure(request.user, line),
        },
    )


# ---- Expenditures --------------------------------------------------------------------------


@require(is_active_user)
@require_GET
def expenditure_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    visible = Expenditure.objects.visible_to(user).select_related(
        "line__program", "line__holder", "submitted_by", "approved_by"
    )
    filters = ExpenditureFilter(request.GET or None, queryset=visible, request=request, page=True)
    expenditures, status = _valid_or_refused(filters)
    summary = expenditures.aggregate(
        count=Count("pk"), total=Coalesce(Sum("amount"), ZERO, output_field=MONEY)
    )
    page = page_of(request, expenditures, PER_PAGE)
    return render(
        request,
        "programs/funds/expenditure_list.html",
        {"page": page, "form": filters.form, "summary": summary},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def expenditure_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    line = permitted(_lines(request.user), request.user, can_submit_expenditure, pk=pk)
    form = ExpenditureForm(request.POST or None, request.FILES or None, line=line)
    return submit(
        request,
        form,
        lambda data: funds.submit_expenditure(user=request.user, line=line, **data),
        success=_("The expenditure has been submitted for a decision."),
        redirect_to=lambda expenditure: reverse(
            "programs:expenditure-detail", args=[expenditure.pk]
        ),
        page=lambda: render(
            request, "programs/funds/expenditure_form.html", {"form": form, "line": line}
        ),
    )


def _visible_expenditure(request: AuthenticatedHttpRequest, pk: int) -> Expenditure:
    return get_object_or_404(
        Expenditure.objects.visible_to(request.user).select_related(
            "line__program", "line__holder", "submitted_by", "approved_by"
        ),
        pk=pk,
    )


def _render_expenditure(
    request: AuthenticatedHttpRequest,
    pk: int,
    *,
    approve_form: ApproveForm | None = None,
    reject_form: RejectForm | None = None,
    refusal: str = "",
    status: int = 200,
) -> HttpResponse:
    """The expenditure's page, with its line's amounts and the decision forms for deciders."""
    expenditure = _visible_expenditure(request, pk)
    line = _lines(request.user).get(pk=expenditure.line_id)
    expenditure.line = line
    return render(
        request,
        "programs/funds/expenditure_detail.html",
        {
            "expenditure": expenditure,
            "line": line,
            "can_decide": can_decide_expenditure(request.user, expenditure),
            "own": expenditure.submitted_by_id == request.user.pk,
            "approve_form": approve_form or ApproveForm(),
            "reject_form": reject_form or RejectForm(),
            "refusal": refusal,
            "receipt_name": expenditure.receipt_name,
        },
        status=status,
    )


@login_required
@require_GET
def expenditure_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _render_expenditure(request, pk)


#: Each decision on an expenditure, taken by a form on its page (`<decision>_form`): the form,
#: the service given the form's fields, and the message once it is taken.
DECISIONS: dict[str, tuple[type[ApproveForm | RejectForm], Callable[..., Expenditure], Any]] = {
    "approve": (
        ApproveForm,
        funds.approve_expenditure,
        gettext_lazy("The expenditure has been approved."),
    ),
    "reject": (
        RejectForm,
        funds.reject_expenditure,
        gettext_lazy("The expenditure has been rejected."),
    ),
}


@login_required
@require_POST
def expenditure_approve(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, "approve")


@login_required
@require_POST
def expenditure_reject(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, "reject")


def _decide(request: AuthenticatedHttpRequest, pk: int, decision: str) -> HttpResponse:
    """A decision on the expenditure's page: the form shown again with the service's
    ValidationError, or the page with its refusal (403)."""
    form_class, service, done = DECISIONS[decision]
    expenditure = _visible_expenditure(request, pk)
    form = form_class(request.POST)
    shown: dict[str, Any] = {f"{decision}_form": form}
    try:
        return submit(
            request,
            form,
            lambda data: service(user=request.user, expenditure=expenditure, **data),
            success=str(done),
            redirect_to=reverse("programs:expenditure-detail", args=[pk]),
            page=lambda: _render_expenditure(request, pk, **shown),
        )
    except PermissionDenied as exc:
        return _refused(request, pk, exc)


def _refused(request: AuthenticatedHttpRequest, pk: int, exc: PermissionDenied) -> HttpResponse:
    """The service's refusal, in its own words when it gives them, on the page (403)."""
    reason = str(exc) or _("You may not decide on this expenditure.")
    return _render_expenditure(request, pk, refusal=reason, status=403)


@login_required
@require_GET
def expenditure_receipt(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    """The receipt, only to those who may see the expenditure (others: 404)."""
    expenditure = get_object_or_404(Expenditure.objects.visible_to(request.user), pk=pk)
    return serve_file(expenditure.receipt, filename=expenditure.receipt_name)
