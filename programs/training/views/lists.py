"""The lists behind the home page's attention counts: plans to approve, overdue milestones.

Both start from the same querysets as the counts (`programs.training.attention`), which start from
`visible_to(user)`; `?program=<id>` narrows a list to one program (never widens it).
"""

from __future__ import annotations

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


@require(acts_on_plans)
@require_GET
def plans_to_approve_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    plans = plans_to_approve(request.user).order_by("updated_at", "id")
    return _attention_list(
        request,
        TrainingPlanFilter,
        plans,
        "programs/attention/plans_to_approve.html",
        final_step=TrainingPlan.Status.TUTOR_APPROVED,
    )


@require(follows_milestones)
@require_GET
def overdue_milestones_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    milestones = overdue_milestones(request.user).order_by("due_date", "id")
    return _attention_list(
        request,
        MilestoneFilter,
        milestones,
        "programs/attention/overdue_milestones.html",
        today=timezone.localdate(),
    )


def _attention_list(
    request: AuthenticatedHttpRequest,
    filter_class: type[FilterSet],
    rows: QuerySet[Any],
    template: str,
    **context: Any,
) -> HttpResponse:
    """One page of the rows (with their student and program), narrowed by `?program=`."""
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
