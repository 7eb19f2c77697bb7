"""Pages of evaluations: the program's indicators, rounds (list, open, page, close), what a
user owes and the form to answer it, and the results of a round or of one subject.

Reads start from `visible_to(request.user)` (outside it: 404); actions are checked with the
predicates of `evaluation.evaluations.permissions` (allowed read, forbidden action: 403) and
done by one service call, whose ValidationError is shown on the form (200).
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.permissions import is_portal_admin
from accounts.typing import AuthenticatedHttpRequest
from programs.models import Program
from programs.scopes import administered_program_ids
from training_portal.core import pages
from training_portal.core.pages import act, page_of, permitted

from ..models import EvaluationRequest, EvaluationRound, Indicator, Source, SubjectKind
from . import permissions, services
from .filters import EvaluationRoundFilter
from .forms import BaseIndicatorFormSet, EvaluationForm, IndicatorFormSet, RoundForm

ROUNDS_PER_PAGE = 25


def _visible_round(user: Any, pk: int) -> EvaluationRound:
    return get_object_or_404(
        EvaluationRound.objects.visible_to(user).select_related("program", "opened_by"), pk=pk
    )


# ---- Indicators ----------------------------------------------------------------------------


def _initial_rows(indicators: list[Indicator]) -> list[dict[str, Any]]:
    return [
        {
            "id": i.pk,
            "category": i.category,
            "objective": i.objective_id,
            "name": i.name,
            "description": i.description,
            "weight": i.weight,
            "scale_min": i.scale_min,
            "scale_max": i.scale_max,
        }
        for i in indicators
    ]


@login_required
@require_http_methods(["GET", "POST"])
def indicators(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The program's quality assessment: its indicators, edited as a set by its admins."""
    user = request.user
    program = get_object_or_404(Program.objects.visible_to(user), pk=pk)
    rows = list(Indicator.objects.filter(program=program).select_related("objective"))
    can_edit = permissions.can_edit_indicators(user, program)
    if request.method == "POST" and not can_edit:
        raise PermissionDenied
    formset: BaseIndicatorFormSet | None = None
    if can_edit:
        # A retired objective is offered only where an indicator of the program still has it.
        in_use = Q(retired_at__isnull=True) | Q(indicators__program=program)
        objectives = program.objectives.filter(in_use).distinct().order_by("order")
        formset = cast(
            BaseIndicatorFormSet,
            IndicatorFormSet(
                request.POST or None,
                initial=_initial_rows(rows),
                prefix="indicators",
                form_kwargs={
                    "objectives": objectives,
                    "objective_choices": [("", "---------")] + [(o.pk, str(o)) for o in objectives],
                },
            ),
        )
        if request.method == "POST" and formset.is_valid():
            try:
                services.save_indicators(user=user, program=program, rows=formset.rows())
            except ValidationError as exc:
                formset.add_service_errors(exc)
            else:
                messages.success(request, _("The indicators have been saved."))
                return redirect("evaluations:indicators", pk=program.pk)
    return render(
        request,
        "evaluation/evaluations/indicators.html",
        {
            "program": program,
            "indicators": rows,
            "total": sum((i.weight for i in rows), 0),
            "formset": formset,
            "can_open_round": permissions.can_open_round(user, program),
        },
    )


# ---- Rounds --------------------------------------------------------------------------------


def _programs_open_to(user: Any) -> Any:
    if is_portal_admin(user):
        return Program.objects.order_by("code")
    return Program.objects.filter(pk__in=administered_program_ids(user)).order_by("code")


@login_required
def round_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    rows = (
        EvaluationRound.objects.visible_to(user)
        .select_related("program")
        .annotate(
            owed_by_me=Count(
                "requests",
                filter=Q(
                    requests__evaluator=user,
                    requests__status=EvaluationRequest.Status.PENDING,
                ),
            )
        )
        .order_by("-opened_at", "-pk")
    )
    # ?program=<pk>: the rounds of one program (linked from the program's page); a program
    # the user may not see, or none, filters to nothing; anything but a number is ignored.
    wanted = request.GET.get("program", "")
    program = None
    if wanted.isdigit():
        program = Program.objects.visible_to(user).filter(pk=int(wanted)).first()
        found = EvaluationRoundFilter({"program": wanted}, queryset=rows)
        rows = found.qs if found.is_valid() else rows.none()
    page = page_of(request, rows, ROUNDS_PER_PAGE)
    return render(
        request,
        "evaluation/evaluations/round_list.html",
        {"page": page, "programs": _programs_open_to(user), "program": program},
    )


@login_required
@require_http_methods(["GET", "POST"])
def round_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    program = permitted(Program.objects.visible_to(user), user, permissions.can_open_round, pk=pk)
    form = RoundForm(request.POST or None)
    return pages.submit(
        request,
        form,
        lambda data: services.open_round(user=user, program=program, **data),
        success=_("The round is open; the evaluators are being told."),
        redirect_to=lambda round_: reverse("evaluations:round-detail", args=[round_.pk]),
        page=lambda: render(
            request, "evaluation/evaluations/round_form.html", {"form": form, "program": program}
        ),
    )


@login_required
def round_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    round_ = _visible_round(user, pk)
    progress = []
    if permissions.can_manage_round(user, round_):
        counts = (
            EvaluationRequest.objects.filter(round=round_)
            .values("source")
            .annotate(
                total=Count("pk"),
                submitted=Count("pk", filter=Q(status=EvaluationRequest.Status.SUBMITTED)),
            )
            .order_by()
        )
        by_source: dict[str, dict[str, Any]] = {row["source"]: dict(row) for row in counts}
        progress = [
            {
                "label": Source(source).label,
                "total": by_source.get(source, {}).get("total", 0),
                "submitted": by_source.get(source, {}).get("submitted", 0),
            }
            for source in round_.sources
        ]
    owed = list(services.owed_by(user).filter(round=round_))
    for item in owed:
        item.subject_text = services.subject_label(item)  # type: ignore[attr-defined]
    return render(
        request,
        "evaluation/evaluations/round_detail.html",
        {
            "round": round_,
            "sources": [Source(s).label for s in round_.sources],
            "progress": progress,
            "owed": owed,
            "can_close": permissions.can_close_round(user, round_),
            # Evaluators from outside the program (inspectors) may not open its indicators.
            "sees_indicators": Program.objects.visible_to(user)
            .filter(pk=round_.program_id)
            .exists(),
        },
    )


@login_required
@require_POST
def round_close(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    round_ = _visible_round(user, pk)
    if not permissions.can_manage_round(user, round_):
        raise PermissionDenied
    return act(
        request,
        lambda: services.close_round(user=user, round_=round_),
        success=_("The round is closed."),
        redirect_to=reverse("evaluations:round-detail", args=[round_.pk]),
    )


# ---- Results -------------------------------------------------------------------------------


def _results_page(
    request: AuthenticatedHttpRequest, round_: EvaluationRound, subject: tuple[str, int] | None
) -> HttpResponse:
    """The round's results, or one subject's: (kind, id)."""
    results = services.round_results(user=request.user, round_=round_, subject=subject)
    label = ""
    if subject is not None:
        found = [g.label for g, k, pk in results.by_subject if (k, pk) == subject]
        found += [g.label for g in results.anonymous if (g.subject_kind, g.subject_id) == subject]
        if not found:
            raise Http404
        label = found[0]
    return render(
        request,
        "evaluation/evaluations/results.html",
        {
            "round": round_,
            "results": results,
            "subject_label": label,
            "subject_kind": subject[0] if subject else None,
        },
    )


@login_required
def round_results(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _results_page(request, _visible_round(request.user, pk), None)


@login_required
def subject_results(
    request: AuthenticatedHttpRequest, pk: int, kind: str, subject: int
) -> HttpResponse:
    if kind not in SubjectKind.values:
        raise Http404
    return _results_page(request, _visible_round(request.user, pk), (kind, subject))


# ---- What a user owes, and answering it ----------------------------------------------------


@login_required
def mine(request: AuthenticatedHttpRequest) -> HttpResponse:
    owed = list(services.owed_by(request.user))
    for item in owed:
        item.subject_text = services.subject_label(item)  # type: ignore[attr-defined]
    return render(
        request,
        "evaluation/evaluations/mine.html",
        {"owed": owed, "min_answers": services.min_anonymous()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def submit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    owed = get_object_or_404(
        EvaluationRequest.objects.visible_to(user).select_related(
            "round__program", "student__user", "tutor__user", "placement__host", "organization"
        ),
        pk=pk,
    )
    if owed.evaluator_id != user.pk:
        raise PermissionDenied
    form = None
    if permissions.can_submit(user, owed):
        indicators = list(Indicator.objects.filter(program=owed.round.program_id))
        form = EvaluationForm(request.POST or None, indicators=indicators)
        if request.method == "POST" and form.is_valid():
            try:
                services.submit_evaluation(
                    user=user,
                    request=owed,
                    scores=form.scores(),
                    comment=form.cleaned_data["comment"],
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(
                    request,
                    _("Thank you: your answer has been recorded anonymously.")
                    if owed.anonymous
                    else _("Thank you: your evaluation has been recorded."),
                )
                return redirect("evaluations:mine")
    elif request.method == "POST":
        raise PermissionDenied
    return render(
        request,
        "evaluation/evaluations/submit.html",
        {
            "owed": owed,
            "subject_text": services.subject_label(owed),
            "form": form,
            "min_answers": services.min_anonymous(),
        },
    )
