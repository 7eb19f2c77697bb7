"""Pages of a student's status: the change forms (done by a program administrator, asked for
by the student or a tutor), the decision on a request, the graduate's destination and its
follow-up, and the administrators' list of what waits on them.

The student comes from `Student.objects.visible_to(user)` (outside it: 404); whether the user
may take an action is the transition table's answer (not allowed: 403).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from accounts.typing import AuthenticatedHttpRequest
from training_portal.core.forms import BootstrapForm
from training_portal.core.pages import permitted, submit
from training_portal.core.permissions import require

from ...models import GraduateDestination, Student, StudentStatusChange
from ...records import services as record_views
from ...records.permissions import can_see_record_views
from ..attention import follow_ups_due, pending_requests
from ..forms import DecisionForm, DestinationForm, FollowUpForm, StatusChangeForm
from ..permissions import (
    can_decide_student_status,
    can_record_destination,
    decides_status,
    is_own_student_record,
)
from ..services import student_status
from ..workflow import TRANSITIONS, Mode, available, mode_for, standing

FORM_PAGE = "programs/status/form.html"


def _student(
    request: AuthenticatedHttpRequest,
    pk: int,
    allowed: Callable[[Any, Student], bool] = lambda user, student: True,
) -> Student:
    students = Student.objects.visible_to(request.user).select_related(
        "user", "program__lead_university"
    )
    return permitted(students, request.user, allowed, pk=pk)


def _submit(
    request: AuthenticatedHttpRequest,
    student: Student,
    form: BootstrapForm,
    action: Callable[[dict[str, Any]], Any],
    *,
    done: str | Callable[[Any], str],
    page: Callable[[], HttpResponse],
) -> HttpResponse:
    """A status form: back to the student's page (their plan, for the student) on success."""
    return submit(
        request,
        form,
        action,
        success=done,
        redirect_to=lambda _result: (
            reverse("programs:my-plan")
            if is_own_student_record(request.user, student)
            else reverse("programs:student", args=[student.pk])
        ),
        page=page,
    )


def _form_page(
    request: AuthenticatedHttpRequest, student: Student, form: BootstrapForm, title: Any
) -> Callable[[], HttpResponse]:
    return lambda: render(request, FORM_PAGE, {"form": form, "title": title, "student": student})


@login_required
@require_http_methods(["GET", "POST"])
def status_change(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise Http404
    student = _student(request, pk)
    mode = mode_for(request.user, student, transition)
    if mode is None:
        raise PermissionDenied
    form = StatusChangeForm(request.POST or None, transition=transition, student=student)
    title = transition.label if mode == Mode.DO else transition.request_label
    return _submit(
        request,
        student,
        form,
        lambda _data: student_status.change_student_status(
            user=request.user, student=student, action=action, **form.change_fields()
        ),
        done=lambda change: (
            _("Your request has been sent to the program administrators.")
            if change.decision == StudentStatusChange.Decision.PENDING
            else _("The student's status has been updated.")
        ),
        page=_form_page(request, student, form, title),
    )


@login_required
@require_http_methods(["GET", "POST"])
def status_decide(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    change = get_object_or_404(
        StudentStatusChange.objects.select_related(
            "student__user", "student__program", "requested_by"
        ).filter(student__in=Student.objects.visible_to(request.user)),
        pk=pk,
    )
    student = change.student
    if not can_decide_student_status(request.user, student):
        raise PermissionDenied
    form = DecisionForm(request.POST or None, initial={"decision": "approve"})

    def decide(data: dict[str, Any]) -> bool:
        approve = data["decision"] == "approve"
        student_status.decide_status_request(
            user=request.user, change=change, approve=approve, note=data["note"]
        )
        return approve

    return _submit(
        request,
        student,
        form,
        decide,
        done=lambda approve: (
            _("The request is approved.") if approve else _("The request is refused.")
        ),
        page=lambda: _decide_page(request, form, change),
    )


def _decide_page(
    request: AuthenticatedHttpRequest, form: DecisionForm, change: StudentStatusChange
) -> HttpResponse:
    student = change.student
    return render(
        request,
        "programs/status/decide.html",
        {
            "form": form,
            "change": change,
            "student": student,
            "consequences": (
                student_status.consequences_of(change)
                if change.decision == StudentStatusChange.Decision.PENDING
                else None
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def destination_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    student = _student(request, pk, can_record_destination)
    current = GraduateDestination.objects.filter(student=student).first()
    initial = (
        {f: getattr(current, f) for f in ("employer", "kind", "region", "relevance")}
        if current
        else None
    )
    form = DestinationForm(request.POST or None, initial=initial)
    return _record(request, student, form, student_status.record_destination)


@login_required
@require_http_methods(["GET", "POST"])
def follow_up(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    student = _student(request, pk, can_decide_student_status)
    form = FollowUpForm(request.POST or None)
    return _record(request, student, form, student_status.record_follow_up)


#: What the graduate's form pages say, by the service each posts to: the message once it is
#: recorded, and the page's title.
_RECORDS: dict[Callable[..., Any], tuple[Any, Any]] = {
    student_status.record_destination: (
        gettext_lazy("The destination has been recorded."),
        gettext_lazy("Graduate destination"),
    ),
    student_status.record_follow_up: (
        gettext_lazy("The follow-up has been recorded."),
        gettext_lazy("Follow-up of the graduate's destination"),
    ),
}


def _record(
    request: AuthenticatedHttpRequest,
    student: Student,
    form: BootstrapForm,
    record: Callable[..., Any],
) -> HttpResponse:
    """A form about the graduate on the plain form page, its data written by `record`."""
    done, title = _RECORDS[record]
    return _submit(
        request,
        student,
        form,
        lambda data: record(user=request.user, student=student, **data),
        done=str(done),
        page=_form_page(request, student, form, title),
    )


# ---- What waits on the program administrators ------------------------------------------------


@require(decides_status)
@require_GET
def status_requests(request: AuthenticatedHttpRequest) -> HttpResponse:
    requests = (
        pending_requests(request.user)
        .select_related("student__user", "student__program", "requested_by")
        .order_by("requested_at", "id")[:200]
    )
    due = (
        follow_ups_due(request.user)
        .select_related("student__user", "student__program")
        .order_by("follow_up_due", "id")[:200]
    )
    return render(
        request, "programs/status/requests.html", {"requests": requests, "follow_ups": due}
    )


# ---- The Status section of the student page ----------------------------------------------------


def status_context(user: Any, student: Student) -> dict[str, Any]:
    """What the student page shows about the status: history, actions, destination, readers."""
    changes = list(
        StudentStatusChange.objects.filter(student=student)
        .select_related("requested_by", "decided_by", "new_tutor__user")
        .order_by("-requested_at", "-id")
    )
    destination = (
        GraduateDestination.objects.filter(student=student).first()
        if student.status == Student.Status.GRADUATED
        else None
    )
    decides, requests = standing(user, student)
    return {
        "status_changes": changes,
        "status_actions": available(user, student, (decides, requests)),
        "status_decides": decides,
        # Reasons (often about health or family) stay within the circle of care.
        "status_reasons_shown": decides or requests,
        "status_pending": next(
            (c for c in changes if c.decision == StudentStatusChange.Decision.PENDING), None
        ),
        "status_waiting": next((c for c in changes if c.awaiting_start), None),
        "destination": destination,
        "may_record_destination": student.status == Student.Status.GRADUATED
        and (destination is None or destination.followed_up_at is None)
        and can_record_destination(user, student),
        "may_follow_up": decides and destination is not None and destination.followed_up_at is None,
        "record_views": list(record_views.record_views_of(student))
        if can_see_record_views(user, student)
        else None,
    }
