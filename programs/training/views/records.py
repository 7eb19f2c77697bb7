"""Pages on one record of a student's training: editing or correcting a progress log, signing
off a milestone, and asking a practice tutor to confirm a record by a quick sign-off link.

A record the user may not see is a 404; a visible one they may not act on is a 403; a
service's ValidationError is shown on the form (200) and saves nothing.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from accounts.typing import AuthenticatedHttpRequest
from training_portal.core.pages import permitted, submit

from ...models import CaseLog, Milestone, Placement, ProgressLog, Student
from ...people.permissions import is_own_student_record
from ..forms import CorrectionForm, MilestoneSignOffForm, ProgressLogForm, SignOffRequestForm
from ..permissions import can_sign_off_milestone, may_request_signoff
from ..services import logs, signoff, training

LOG_PAGE = "programs/log_page.html"
RECORD_FORM = "programs/record_form.html"


def _back(request: AuthenticatedHttpRequest, student: Student) -> HttpResponse:
    if is_own_student_record(request.user, student):
        return redirect("programs:my-plan")
    return redirect("programs:student", pk=student.pk)


# ---- Progress logs: edit within the window, correct after it --------------------------------


def _own_log(request: AuthenticatedHttpRequest, pk: int) -> ProgressLog:
    log = get_object_or_404(
        ProgressLog.objects.visible_to(request.user).select_related(
            "student__user", "student__program", "author", "placement__host"
        ),
        pk=pk,
    )
    if log.author_id != request.user.pk:
        raise PermissionDenied
    return log


def _render_log(
    request: AuthenticatedHttpRequest,
    log: ProgressLog,
    *,
    edit_form: ProgressLogForm | None = None,
    correction_form: CorrectionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    editable = timezone.now() < log.editable_until()
    # A form refused because the window closed (or is still open) is not shown: its errors are.
    refused = correction_form if editable else edit_form
    problems = [
        error for form in [refused] if form is not None for error in form.errors.get("__all__", [])
    ]
    if editable and edit_form is None:
        edit_form = ProgressLogForm(
            initial={name: getattr(log, name) for name in ProgressLogForm.MAIN_FIELDS},
            placements=_placements(log.student),
            with_cases=False,
        )
    context: dict[str, Any] = {
        "log": log,
        "student": log.student,
        "editable": editable,
        "edit_form": edit_form if editable else None,
        "correction_form": None if editable else (correction_form or CorrectionForm()),
        "corrections": log.corrections.select_related("author").order_by("created_at"),
        "problems": problems,
    }
    return render(request, LOG_PAGE, context, status=status)


def _placements(student: Student) -> Any:
    return Placement.objects.filter(student=student).select_related("host").order_by("start_date")


@login_required
@require_http_methods(["GET", "POST"])
def log_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The author's page on their log: the edit form for 48 hours, then the correction form."""
    log = _own_log(request, pk)
    if request.method == "GET":
        return _render_log(request, log)
    form = ProgressLogForm(request.POST, placements=_placements(log.student), with_cases=False)

    def page() -> HttpResponse:
        log.refresh_from_db()
        return _render_log(request, log, edit_form=form)

    return submit(
        request,
        form,
        lambda _data: logs.edit_progress_log(user=request.user, log=log, **form.log_fields()),
        success=_("The progress log has been changed."),
        redirect_to=reverse("programs:student", args=[log.student_id]),
        page=page,
    )


@login_required
@require_POST
def log_correction(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    log = _own_log(request, pk)
    form = CorrectionForm(request.POST)
    return submit(
        request,
        form,
        lambda data: logs.add_correction(user=request.user, log=log, text=data["text"]),
        success=_("Your correction has been added to the log."),
        redirect_to=reverse("programs:log-edit", args=[log.pk]),
        page=lambda: _render_log(request, log, correction_form=form),
    )


# ---- Milestones ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def milestone_sign_off(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A current tutor of the student confirms a milestone, with evidence."""
    milestone = permitted(
        Milestone.objects.visible_to(request.user).select_related(
            "student__user", "student__program"
        ),
        request.user,
        can_sign_off_milestone,
        pk=pk,
    )
    form = MilestoneSignOffForm(
        request.POST or None, request.FILES or None, initial={"completed_on": timezone.localdate()}
    )
    return submit(
        request,
        form,
        lambda data: training.sign_off_milestone(
            user=request.user,
            milestone=milestone,
            completed_on=data["completed_on"],
            evidence=data["evidence"],
            evidence_file=data["evidence_file"],
        ),
        success=_("Milestone “%(title)s” is signed off.") % {"title": milestone.title},
        redirect_to=reverse("programs:student", args=[milestone.student_id]),
        page=lambda: render(
            request,
            RECORD_FORM,
            {
                "form": form,
                "student": milestone.student,
                "title": _("Sign off “%(title)s”") % {"title": milestone.title},
                "intro": _("Due on %(date)s.") % {"date": milestone.due_date},
                "multipart": True,
                "submit": _("Sign off"),
            },
        ),
    )


# ---- Quick sign-off links ------------------------------------------------------------------

_SIGNABLE: dict[str, type[ProgressLog] | type[CaseLog] | type[Milestone]] = {
    "log": ProgressLog,
    "case": CaseLog,
    "milestone": Milestone,
}


@login_required
@require_POST
def signoff_request(request: AuthenticatedHttpRequest, kind: str, pk: int) -> HttpResponse:
    """E-mail one of the student's practice tutors a single-use link confirming the record."""
    model = _SIGNABLE.get(kind)
    if model is None:
        raise Http404
    target = get_object_or_404(
        model.objects.visible_to(request.user).select_related("student__user", "student__program"),
        pk=pk,
    )
    student = target.student
    if not may_request_signoff(request.user, student):
        raise PermissionDenied
    form = SignOffRequestForm(request.POST, tutors=signoff.practice_tutor_users(student))
    if form.is_valid():
        tutor = form.cleaned_data["tutor"]
        try:
            signoff.issue_signoff_link(user=request.user, target=target, tutor_user=tutor)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(
                request,
                ngettext(
                    "A sign-off link has been e-mailed to %(name)s; it is valid for %(days)d day.",
                    "A sign-off link has been e-mailed to %(name)s; it is valid for %(days)d days.",
                    signoff.DEFAULT_VALID_DAYS,
                )
                % {"name": tutor, "days": signoff.DEFAULT_VALID_DAYS},
            )
            return _back(request, student)
    for error in [*form.non_field_errors(), *(e for f in form for e in f.errors)]:
        messages.error(request, error)
    return _back(request, student)
