"""The lists behind the home page's attention counts: plans to approve, overdue milestones.

Both start from the same querysets as the counts (`programs.training.attention`), which start from
`visible_to(user)`; `?program=<id>` narrows a list to one program (never widens it).
"""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

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
    plans = TrainingPlanFilter(
        request.GET or None,
        queryset=plans_to_approve(request.user)
        .select_related("student__user", "student__program")
        .order_by("updated_at", "id"),
        request=request,
        page=True,
    ).qs
    page = page_of(request, plans, PER_PAGE)
    return render(
        request,
        "programs/attention/plans_to_approve.html",
        {
            "page": page,
            "filtered": "program" in request.GET,
            "final_step": TrainingPlan.Status.TUTOR_APPROVED,
        },
    )


@require(follows_milestones)
@require_GET
def overdue_milestones_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    milestones = MilestoneFilter(
        request.GET or None,
        queryset=overdue_milestones(request.user)
        .select_related("student__user", "student__program")
        .order_by("due_date", "id"),
        request=request,
        page=True,
    ).qs
    page = page_of(request, milestones, PER_PAGE)
    return render(
        request,
        "programs/attention/overdue_milestones.html",
        {"page": page, "filtered": "program" in request.GET, "today": timezone.localdate()},
    )
