"""Pages of partner performance: the ranking per organisation kind of a run, a score with its
inputs, an organisation's scores over periods, the recommendations and the decisions on
them, and the formula (for anyone signed in).

Reads start from `PartnerScore.objects.visible_to(request.user)` (outside it: 404); actions
are checked with `evaluation.scores.permissions` (403) and done by one service call, whose
ValidationError is shown on the form (200).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.typing import AuthenticatedHttpRequest
from programs.models import Organization
from training_portal.core.pages import page_of, permitted, submit
from training_portal.core.permissions import is_active_user, require

from ..models import PartnerScore, PartnerScoreRun
from . import formula, permissions, services
from .forms import DecisionForm, StartRunForm

RUNS_SHOWN = 12
ROWS_PER_PAGE = 50


def visible_scores(user: Any) -> QuerySet[PartnerScore]:
    return PartnerScore.objects.visible_to(user).select_related(
        "run", "organization", "decision", "decision__decided_by"
    )


def _runs() -> QuerySet[PartnerScoreRun]:
    return PartnerScoreRun.objects.select_related("job", "started_by").order_by(
        "-period_end", "-pk"
    )


@require(is_active_user)
def ranking(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    """A run's ranking per kind (the latest finished run when none is named), for everyone
    signed in. Those who see no score (tutors, students, accounts without a role: the
    `partner-scores/` list is empty for them and `runs/` is refused) get the page with no
    score and no run: neither its periods, nor its threshold, nor whether one exists."""
    if not permissions.sees_scores(request.user):
        return _ranking(request, None, None, sees_scores=False)
    run: PartnerScoreRun | None
    if pk is not None:
        run = get_object_or_404(_runs(), pk=pk)
    else:
        run = _runs().filter(finished_at__isnull=False).first() or _runs().first()
    form = StartRunForm() if permissions.can_start_run(request.user) else None
    return _ranking(request, run, form)


def _ranking(
    request: AuthenticatedHttpRequest,
    run: PartnerScoreRun | None,
    form: StartRunForm | None,
    *,
    sees_scores: bool = True,
) -> HttpResponse:
    scores = (
        visible_scores(request.user).filter(run=run).order_by("kind", "rank", "organization__name")
        if run is not None
        else PartnerScore.objects.none()
    )
    return render(
        request,
        "evaluation/scores/ranking.html",
        {
            "run": run,
            "scores": scores,
            "runs": _runs()[:RUNS_SHOWN] if sees_scores else [],
            "form": form,
            "components": formula.COMPONENTS,
            "sees_scores": sees_scores,
        },
    )


@login_required
@require_POST
def run_start(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not permissions.can_start_run(request.user):
        raise PermissionDenied
    form = StartRunForm(request.POST)
    if form.is_valid():
        try:
            run = services.start_partner_scores(user=request.user, **form.run_fields())
        except ValidationError as exc:
            form.add_run_errors(exc)
        else:
            messages.success(request, _("The scoring run has started."))
            return redirect("partner_scores:run", pk=run.pk)
    return _ranking(request, _runs().first(), form)


@login_required
def score_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    score = get_object_or_404(visible_scores(request.user), pk=pk)
    return _detail(request, score, DecisionForm())


def _detail(
    request: AuthenticatedHttpRequest, score: PartnerScore, form: DecisionForm
) -> HttpResponse:
    decision = getattr(score, "decision", None)
    components = [
        {
            "component": component,
            "value": score.components.get(component.key),
            "weight": score.run.weights.get(component.key),
        }
        for component in formula.COMPONENTS
    ]
    return render(
        request,
        "evaluation/scores/score_detail.html",
        {
            "score": score,
            "decision": decision,
            "components": components,
            "recomputed": formula.score_from_inputs(score.inputs, score.run.weights),
            "form": form,
            "can_decide": bool(score.recommendation)
            and decision is None
            and permissions.can_decide(request.user, score),
        },
    )


@login_required
@require_POST
def decide(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    score = permitted(visible_scores(request.user), request.user, permissions.can_decide, pk=pk)
    form = DecisionForm(request.POST)
    return submit(
        request,
        form,
        lambda data: services.decide_probation(user=request.user, score=score, **data),
        success=_("The decision has been recorded."),
        redirect_to=reverse("partner_scores:score", args=[score.pk]),
        page=lambda: _detail(request, score, form),
    )


@require(permissions.sees_scores)
def organization_scores(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    visible = Organization.objects.filter(permissions.organizations_filter(request.user))
    organization = get_object_or_404(visible, pk=pk)
    scores = (
        visible_scores(request.user)
        .filter(organization=organization)
        .order_by("-run__period_end", "-run__pk")
    )
    return render(
        request,
        "evaluation/scores/organization.html",
        {"organization": organization, "scores": scores, "components": formula.COMPONENTS},
    )


@require(permissions.can_decide)
def recommendation_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = page_of(request, services.recommendations(request.user), ROWS_PER_PAGE)
    return render(request, "evaluation/scores/recommendations.html", {"page": page})


@require(permissions.sees_formula)
def formula_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    components = [
        {
            "component": component,
            "description": formula.describe(component),
            "weight": formula.DEFAULT_WEIGHTS[component.key],
        }
        for component in formula.COMPONENTS
    ]
    latest = _runs().filter(finished_at__isnull=False).first()
    return render(
        request,
        "evaluation/scores/formula.html",
        {
            "components": components,
            "threshold": formula.DEFAULT_THRESHOLD,
            "bottom_share": formula.DEFAULT_BOTTOM_SHARE,
            "neutral": formula.NEUTRAL,
            "latest": latest,
            "latest_weights": [
                (component.label, latest.weights.get(component.key))
                for component in formula.COMPONENTS
            ]
            if latest
            else [],
            "sees_scores": permissions.sees_scores(request.user),
        },
    )
