"""The lists behind the home page's attention counts: plans to approve, overdue milestones.

Both start from the same querysets as the counts (`programs.training.attention`), which start from
`visible_to(user)`; `?program=<id>` narrows a list to one program (never widens it).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET
from django_filters import FilterSet

from accounts.typing import AuthenticatedHttpRequest
from training_portal.core.pages import page_of
from training_portal.core.permissions import require

from ...models import TrainingPlan
from ..attention import overdue_milestones, plans_to_approve
from ..filters import MilestoneFilter, TrainingPlanFilter
from ..permissions import acts_on_plans, follows_milestones

PER_PAGE = 50

#: What a list's function gives: its rows, and what else its template shows.
Rows = tuple[QuerySet[Any], dict[str, Any]]


def _attention_list(
    filter_class: type[FilterSet], template: str
) -> Callable[[Callable[[AuthenticatedHttpRequest], Rows]], Callable[..., HttpResponse]]:
    """Make a GET-only list page of the rows (and extra context) that the decorated function
    gives: one page of them (with their student and program), narrowed by `?program=`."""

    def decorator(
        rows_of: Callable[[AuthenticatedHttpRequest], Rows],
    ) -> Callable[..., HttpResponse]:
        @require_GET
        @wraps(rows_of)
        def view(request: AuthenticatedHttpRequest) -> HttpResponse:
            rows, context = rows_of(request)
            narrowed = filter_class(
                request.GET or None,
                queryset=rows.select_related("student__user", "student__program"),
                request=request,
                page=True,
            ).qs
            page = page_of(request, narrowed, PER_PAGE)
            return render(
                request, template, {"page": page, "filtered": "program" in request.GET, **context}
            )

        return view

    return decorator


@require(acts_on_plans)
@_attention_list(TrainingPlanFilter, "programs/attention/plans_to_approve.html")
def plans_to_approve_list(request: AuthenticatedHttpRequest) -> Rows:
    plans = plans_to_approve(request.user).order_by("updated_at", "id")
    return plans, {"final_step": TrainingPlan.Status.TUTOR_APPROVED}


@require(follows_milestones)
@_attention_list(MilestoneFilter, "programs/attention/overdue_milestones.html")
def overdue_milestones_list(request: AuthenticatedHttpRequest) -> Rows:
    milestones = overdue_milestones(request.user).order_by("due_date", "id")
    return milestones, {"today": timezone.localdate()}
