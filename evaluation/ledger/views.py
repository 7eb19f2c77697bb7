"""Pages of the reward ledger: the entries one may see with their totals, the leaderboard,
an entry (with its reversal), and a program's points per project size.

Reads start from `RewardEntry.objects.visible_to(request.user)` (outside it: 404); actions
are checked with `evaluation.ledger.permissions` (allowed read, forbidden action: 403) and
done by one service call, whose ValidationError is shown on the form (200).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet, Sum
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.permissions import is_portal_admin
from accounts.typing import AuthenticatedHttpRequest
from programs.models import Program
from programs.scopes import administered_program_ids
from training_portal.core.pages import page_of, permitted, submit
from training_portal.core.permissions import is_active_user, require

from ..models import RewardEntry
from . import permissions, services
from .forms import LedgerFilterForm, ReverseEntryForm, RewardRulesForm

ENTRIES_PER_PAGE = 50
ROWS_PER_PAGE = 100


def visible_entries(user: Any) -> QuerySet[RewardEntry]:
    """The entries `user` sees, with what their rows and pages show."""
    return RewardEntry.objects.visible_to(user).select_related(
        "program", "project", "user", "organization", "reverses", "reversed_by", "created_by"
    )


def _filter_form(request: AuthenticatedHttpRequest) -> LedgerFilterForm:
    programs = Program.objects.visible_to(request.user).order_by("code")
    return LedgerFilterForm(request.GET or None, programs=programs)


@require(is_active_user)
def entry_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The entries `request.user` may see, for everyone signed in (none for an account
    without a role); the menu offers the ledger by `permissions.sees_ledger`."""
    form = _filter_form(request)
    period = form.period()
    entries = visible_entries(request.user).filter(period.q())
    if (program := form.chosen_program()) is not None:
        entries = entries.filter(program=program)
    total = entries.aggregate(total=Sum("points"))["total"] or Decimal(0)
    page = page_of(request, entries.order_by("-earned_on", "-pk"), ENTRIES_PER_PAGE)
    return render(
        request,
        "evaluation/ledger/entry_list.html",
        {"form": form, "page": page, "total": total, "rule_programs": _rule_programs(request)},
    )


def _rule_programs(request: AuthenticatedHttpRequest) -> QuerySet[Program]:
    """The programs whose points per size `request.user` sets."""
    programs = Program.objects.visible_to(request.user).order_by("code")
    if is_portal_admin(request.user):
        return programs
    return programs.filter(pk__in=administered_program_ids(request.user))


@require(is_active_user)
def leaderboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The ranked totals of the entries `request.user` may see (as the list)."""
    form = _filter_form(request)
    rows = services.leaderboard(
        request.user, kind=form.chosen_kind(), program=form.chosen_program(), period=form.period()
    )
    page = page_of(request, rows, ROWS_PER_PAGE)
    return render(
        request,
        "evaluation/ledger/leaderboard.html",
        {"form": form, "page": page, "kind": form.chosen_kind()},
    )


@login_required
def entry_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(visible_entries(request.user), pk=pk)
    return _detail(request, entry)


def _detail(
    request: AuthenticatedHttpRequest, entry: RewardEntry, form: ReverseEntryForm | None = None
) -> HttpResponse:
    """The entry's page; its reversal form blank unless `form` (with errors) is given."""
    reversal = getattr(entry, "reversed_by", None)
    return render(
        request,
        "evaluation/ledger/entry_detail.html",
        {
            "entry": entry,
            "reversal": reversal,
            "form": form or ReverseEntryForm(),
            "can_reverse": reversal is None and permissions.can_reverse_entry(request.user, entry),
        },
    )


@login_required
@require_POST
def entry_reverse(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    entry = permitted(
        visible_entries(request.user), request.user, permissions.can_reverse_entry, pk=pk
    )
    form = ReverseEntryForm(request.POST)
    return submit(
        request,
        form,
        lambda data: services.reverse_entry(user=request.user, entry=entry, reason=data["reason"]),
        success=_("The entry has been reversed."),
        redirect_to=lambda reversal: reverse("ledger:entry-detail", args=[reversal.pk]),
        page=lambda: _detail(request, entry, form),
    )


@login_required
@require_http_methods(["GET", "POST"])
def rules(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    program = permitted(
        Program.objects.visible_to(request.user), request.user, permissions.can_edit_rules, pk=pk
    )
    form = RewardRulesForm(request.POST or None, initial=services.points_by_size(program))
    return submit(
        request,
        form,
        lambda data: services.set_reward_rules(
            user=request.user, program=program, points=form.points()
        ),
        success=_("The points per project size have been saved."),
        redirect_to=reverse("ledger:rules", args=[program.pk]),
        page=lambda: render(
            request, "evaluation/ledger/rules.html", {"form": form, "program": program}
        ),
    )
