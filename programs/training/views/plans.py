"""A student's plan, its transitions, and progress logs written from the student's page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.typing import AuthenticatedHttpRequest
from training_portal.core.pages import act, form_refusal, permitted, submit
from training_portal.core.permissions import require

from ...models import Course, ProgressLog, Student, TrainingPlan
from ...people.permissions import is_own_student_record
from ...people.views.students import latest_plan, placements_of, render_student, visible_student
from ..forms import AcknowledgeForm, PlanForm, PlanTransitionForm, ProgressLogForm
from ..permissions import (
    can_acknowledge_log,
    can_edit_plan,
    can_revise_plan,
    can_write_progress_log,
    is_student,
)
from ..services import logs, training
from ..workflow import TRANSITIONS


@login_required
@require_POST
def log_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    student = visible_student(request, pk)
    if not can_write_progress_log(request.user, student):
        raise PermissionDenied
    form = ProgressLogForm(request.POST, placements=placements_of(student))
    return submit(
        request,
        form,
        lambda data: logs.write_progress_log(
            user=request.user, student=student, **form.log_fields()
        ),
        success=_("The progress log has been saved."),
        redirect_to=reverse("programs:student", args=[student.pk]),
        page=lambda: render_student(request, student, log_form=form),
    )


@require(is_student)
@require_http_methods(["GET", "POST"])
def my_plan(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The student's own page, with the plan form: a new draft, or changes to the draft."""
    student = get_object_or_404(
        Student.objects.visible_to(request.user).select_related("user", "program"),
        user=request.user,
    )
    plan = latest_plan(request.user, student)
    editing = plan is not None and can_edit_plan(request.user, plan)
    drafting = plan is None or (
        plan.status not in TrainingPlan.OPEN and not can_revise_plan(request.user, plan)
    )
    if not (editing or drafting):
        return render_student(request, student, template="programs/my_plan.html")
    # Retired courses are offered no more, except to the plan that already has them.
    offered = Q(in_programs__program=student.program_id, in_programs__retired_at__isnull=True)
    if editing and plan is not None:
        offered |= Q(pk__in=plan.courses.values("pk"))
    courses = Course.objects.filter(offered).distinct().order_by("code")
    initial = PlanForm.initial_for(plan) if editing and plan is not None else None
    form = PlanForm(request.POST or None, initial=initial, courses=courses)

    def save(_data: object) -> TrainingPlan:
        if editing and plan is not None:
            return training.update_plan(user=request.user, plan=plan, **form.plan_fields())
        return training.draft_plan(user=request.user, student=student, **form.plan_fields())

    return submit(
        request,
        form,
        save,
        success=_("Your plan has been saved."),
        redirect_to="programs:my-plan",
        page=lambda: render_student(
            request, student, template="programs/my_plan.html", plan_form=form, editing=editing
        ),
    )


@login_required
@require_POST
def log_acknowledge(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    log = permitted(
        ProgressLog.objects.visible_to(request.user).select_related("student"),
        request.user,
        can_acknowledge_log,
        pk=pk,
    )
    form = AcknowledgeForm(request.POST)
    if form.is_valid():
        logs.acknowledge_log(user=request.user, log=log, comment=form.cleaned_data["comment"])
        messages.success(request, _("You have acknowledged the progress log."))
    return redirect("programs:my-plan")


@login_required
@require_POST
def plan_transition(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(
        TrainingPlan.objects.visible_to(request.user).select_related(
            "student__user", "student__program"
        ),
        pk=pk,
    )
    student = plan.student
    form = PlanTransitionForm(request.POST)
    if not form.is_valid():
        return render_student(request, student, transition_form=form)
    allowed, service = TRANSITIONS[form.cleaned_data["action"]]
    if not allowed(request.user, plan):
        raise PermissionDenied
    extra = {"comment": form.cleaned_data["comment"]} if service is training.return_plan else {}
    return act(
        request,
        lambda: service(user=request.user, plan=plan, **extra),
        refused=form_refusal(form, lambda: render_student(request, student, transition_form=form)),
        success=_("The plan has been updated."),
        redirect_to=reverse("programs:my-plan")
        if is_own_student_record(request.user, student)
        else reverse("programs:student", args=[student.pk]),
    )
