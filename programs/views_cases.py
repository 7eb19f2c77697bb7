"""The review of case logs beyond verifying: the practice tutor queries (asks a question) or
rejects (with a reason the student sees); the student answers or corrects, which returns the
cases to the tutor. `services.logs.CASE_REVIEW` says who does what from which state.

A case log the user may not see is a 404; a visible one they may not act on is a 403; a
service's ValidationError is shown on the form (200) and saves nothing.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from accounts.typing import AuthenticatedHttpRequest
from training_portal.core.permissions import require

from . import permissions
from .forms_cases import CaseAnswerForm, CaseReviewForm
from .models import CaseLog, Student
from .services import logs
from .views import is_student
from .views_projects import CASES_PER_PAGE


def _case(request: AuthenticatedHttpRequest, pk: int) -> CaseLog:
    return get_object_or_404(
        CaseLog.objects.visible_to(request.user).select_related(
            "student__user", "placement__practice_tutor", "placement__host"
        ),
        pk=pk,
    )


#: The page of each decision taken from the to-verify list: its title and button.
DECISIONS = {
    "query": (gettext_lazy("Ask the student a question"), gettext_lazy("Ask a question")),
    "reject": (gettext_lazy("Reject the cases"), gettext_lazy("Reject")),
}


def _decide(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    """Query or reject from the to-verify list. A refusal (no question, no reason) is shown
    next to the note on a page about that case, at this URL, which also serves GET."""
    case_log = _case(request, pk)
    if not permissions.can_verify_case_log(request.user, case_log):
        raise PermissionDenied
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
    case_log = _case(request, pk)
    if not permissions.is_own_student_record(request.user, case_log.student):
        raise PermissionDenied
    initial = {name: getattr(case_log, name) for name in logs.CASE_CORRECTABLE}
    form = CaseAnswerForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            logs.answer_case_log(user=request.user, case_log=case_log, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Your answer has been sent; the cases wait for the tutor."))
            return redirect("programs:my-cases-to-answer")
    return render(request, "programs/cases/answer.html", {"form": form, "case": case_log})


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
    page = Paginator(rows, CASES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "programs/cases/to_answer.html", {"page": page})
