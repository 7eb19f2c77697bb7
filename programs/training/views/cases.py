"""Case-log pages: recording, verifying, querying, rejecting and answering."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from accounts.typing import AuthenticatedHttpRequest
from training_portal.core.pages import act, form_refusal, page_of, permitted, submit
from training_portal.core.permissions import require

from ...models import CaseLog, Placement, Student
from ...people.permissions import is_own_student_record, is_tutor
from ..attention import case_logs_to_verify
from ..forms import CaseAnswerForm, CaseLogForm, CaseReviewForm, VerifyCaseForm
from ..permissions import can_verify_case_log, is_student
from ..services import logs


def _case(
    request: AuthenticatedHttpRequest, pk: int, allowed: Callable[[Any, CaseLog], bool]
) -> CaseLog:
    """The visible case log `pk` that `allowed` lets the user act on (404 unseen, 403 denied)."""
    return permitted(
        CaseLog.objects.visible_to(request.user).select_related(
            "student__user", "placement__practice_tutor", "placement__host"
        ),
        request.user,
        allowed,
        pk=pk,
    )


def _own_case(user: Any, case_log: CaseLog) -> bool:
    return is_own_student_record(user, case_log.student)


#: The page of each decision taken from the to-verify list: its title and button.
DECISIONS = {
    "query": (gettext_lazy("Ask the student a question"), gettext_lazy("Ask a question")),
    "reject": (gettext_lazy("Reject the cases"), gettext_lazy("Reject")),
}


def _decide(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    """Query or reject from the to-verify list. A refusal (no question, no reason) is shown
    next to the note on a page about that case, at this URL, which also serves GET."""
    case_log = _case(request, pk, can_verify_case_log)
    form = CaseReviewForm(request.POST or None)
    if request.method == "POST":
        note = form.data.get("note", "")
        try:
            if action == "query":
                logs.query_case_log(user=request.user, case_log=case_log, question=note)
            else:
                logs.reject_case_log(user=request.user, case_log=case_log, reason=note)
        except ValidationError as exc:
            form.is_valid()
            form.add_service_errors(exc, aliases={"question": "note", "reason": "note"})
        else:
            if action == "query":
                messages.success(request, _("Your question has been sent to the student."))
            else:
                messages.success(request, _("The cases are rejected; the student sees why."))
            return redirect("programs:cases-to-verify")
    title, button = DECISIONS[action]
    return render(
        request,
        "programs/cases/decide.html",
        {"form": form, "case": case_log, "title": title, "button": button},
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_log_query(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, "query")


@login_required
@require_http_methods(["GET", "POST"])
def case_log_reject(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, "reject")


@login_required
@require_http_methods(["GET", "POST"])
def case_log_answer(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case_log = _case(request, pk, _own_case)
    initial = {name: getattr(case_log, name) for name in logs.CASE_CORRECTABLE}
    form = CaseAnswerForm(request.POST or None, initial=initial)
    return submit(
        request,
        form,
        lambda data: logs.answer_case_log(user=request.user, case_log=case_log, **data),
        success=_("Your answer has been sent; the cases wait for the tutor."),
        redirect_to="programs:my-cases-to-answer",
        page=lambda: render(
            request, "programs/cases/answer.html", {"form": form, "case": case_log}
        ),
    )


@require(is_student)
def my_cases_to_answer(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The signed-in student's cases their tutor queried or rejected, each with its question
    or reason and the link to answer or correct it."""
    user = request.user
    student = get_object_or_404(Student.objects.visible_to(user), user=user)
    rows = (
        CaseLog.objects.visible_to(user)
        .filter(logs.CASES_TO_ANSWER, student=student)
        .select_related("placement__host", "rejected_by")
        .order_by("date", "id")
    )
    page = page_of(request, rows, CASES_PER_PAGE)
    return render(request, "programs/cases/to_answer.html", {"page": page})


CASES_PER_PAGE = 50
RECENT_CASES = 10


# ---- Case logs -----------------------------------------------------------------------------


@require(is_student)
@require_http_methods(["GET", "POST"])
def case_log_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The signed-in student records their own cases, then the next ones."""
    user = request.user
    student = get_object_or_404(
        Student.objects.visible_to(user).select_related("user", "program"), user=user
    )
    placements = (
        Placement.objects.visible_to(user)
        .filter(student=student)
        .select_related("host")
        .order_by("-start_date")
    )
    today = timezone.localdate()
    initial: dict[str, Any] = {"date": today}
    if request.method != "POST":
        # The placement of today, when exactly one active placement covers it.
        current = list(
            placements.filter(
                status=Placement.Status.ACTIVE, start_date__lte=today, end_date__gte=today
            )[:2]
        )
        if len(current) == 1:
            initial["placement"] = current[0]
    form = CaseLogForm(
        request.POST or None, initial=initial, placements=placements, student=student
    )
    if request.method == "POST" and form.is_valid():
        try:
            logs.record_case_log(user=user, student=student, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("The cases have been recorded."))
            return redirect("programs:case-log-create")
    recent = (
        CaseLog.objects.visible_to(user)
        .filter(student=student)
        .select_related("placement__host")[:RECENT_CASES]
    )
    return render(
        request,
        "programs/cases/new.html",
        {"form": form, "student": student, "recent": recent},
    )


@require(is_tutor)
def cases_to_verify(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _render_to_verify(request, VerifyCaseForm())


@login_required
@require_POST
def case_log_verify(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case_log = _case(request, pk, can_verify_case_log)
    form = VerifyCaseForm(request.POST)
    return act(
        request,
        lambda: logs.verify_case_log(user=request.user, case_log=case_log),
        refused=form_refusal(form, lambda: _render_to_verify(request, form)),
        success=_("The cases are verified."),
        redirect_to="programs:cases-to-verify",
    )


def _render_to_verify(request: AuthenticatedHttpRequest, form: VerifyCaseForm) -> HttpResponse:
    rows = (
        case_logs_to_verify(request.user)
        .select_related("student__user", "placement__host", "recorded_by")
        .order_by("date", "id")
    )
    page = page_of(request, rows, CASES_PER_PAGE)
    return render(request, "programs/cases/to_verify.html", {"page": page, "form": form})
