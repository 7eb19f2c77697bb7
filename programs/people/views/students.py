"""A tutor's students and a student's page."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from accounts.typing import AuthenticatedHttpRequest
from training_portal.core.permissions import require

from ...models import (
    Milestone,
    Placement,
    ProgressLog,
    ProgressLogCorrection,
    Project,
    Student,
    TrainingPlan,
    TutorAssignment,
)
from ...placements.permissions import can_manage_placements
from ...records import services as record_views
from ...scopes import student_ids_in_care_of, tutored_student_ids
from ...training.forms import AcknowledgeForm, PlanTransitionForm, ProgressLogForm
from ...training.permissions import can_acknowledge_log, may_request_signoff
from ...training.services import logs, signoff
from ...training.workflow import TRANSITIONS
from ..permissions import current_tutor_roles, is_tutor
from .status import status_context

LATEST_LOGS = 50


# ---- Tutors --------------------------------------------------------------------------------


@require(is_tutor)
def my_students(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    latest_plan = TrainingPlan.objects.filter(student=OuterRef("pk")).order_by("-version")
    next_due = Milestone.objects.filter(student=OuterRef("pk"), completed_on__isnull=True).order_by(
        "due_date", "id"
    )
    last_log = ProgressLog.objects.filter(student=OuterRef("pk"), author=user).order_by("-date")
    students = list(
        Student.objects.filter(pk__in=tutored_student_ids(user))
        .select_related("user", "program")
        .annotate(
            plan_status=Subquery(latest_plan.values("status")[:1]),
            plan_version=Subquery(latest_plan.values("version")[:1]),
            next_milestone=Subquery(next_due.values("title")[:1]),
            next_due_date=Subquery(next_due.values("due_date")[:1]),
            last_log_date=Subquery(last_log.values("date")[:1]),
        )
        .order_by("user__full_name", "student_number")
    )
    today = timezone.localdate()
    statuses = dict(TrainingPlan.Status.choices)
    rows = [
        {
            "student": student,
            "plan_status": statuses.get(student.plan_status or ""),
            "plan_version": student.plan_version,
            "next_milestone": student.next_milestone,
            "next_due_date": student.next_due_date,
            # Nothing is overdue while study is suspended (or over).
            "overdue": bool(
                student.status == Student.Status.ACTIVE
                and student.next_due_date
                and student.next_due_date < today
            ),
            "days_since_log": (today - student.last_log_date).days
            if student.last_log_date
            else None,
        }
        for student in students
    ]
    return render(request, "programs/my_students.html", {"rows": rows})


# ---- Student pages -------------------------------------------------------------------------


@login_required
def student_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    student = visible_student(request, pk)
    record_views.log_record_view(reader=request.user, student=student)
    return render_student(request, student)


def visible_student(request: AuthenticatedHttpRequest, pk: int) -> Student:
    return get_object_or_404(
        Student.objects.visible_to(request.user).select_related("user", "program"), pk=pk
    )


def placements_of(student: Student) -> QuerySet[Placement]:
    return Placement.objects.filter(student=student).select_related("host").order_by("start_date")


def latest_plan(user: Any, student: Student) -> TrainingPlan | None:
    return (
        TrainingPlan.objects.visible_to(user)
        .filter(student=student)
        .order_by("-version")
        .prefetch_related("courses", "case_targets")
        .first()
    )


def render_student(
    request: AuthenticatedHttpRequest,
    student: Student,
    *,
    template: str = "programs/student.html",
    **extra: Any,
) -> HttpResponse:
    """The student page: everything about one student the viewer may see."""
    user = request.user
    plans = list(
        TrainingPlan.objects.visible_to(user)
        .filter(student=student)
        .order_by("-version")
        .prefetch_related("courses", "case_targets")
    )
    for plan in plans:
        plan.student = student  # the predicates read the student (and its program)
    plan = plans[0] if plans else None
    actions = [
        (action, label)
        for action, label in PlanTransitionForm.ACTIONS
        if plan is not None and TRANSITIONS[action][0](user, plan)
    ]
    in_care = Student.objects.filter(pk=student.pk, pk__in=student_ids_in_care_of(user)).exists()
    progress_logs = list(
        ProgressLog.objects.visible_to(user)
        .filter(student=student)
        .select_related("author", "confirmed_by")
        .prefetch_related(
            Prefetch(
                "corrections",
                queryset=ProgressLogCorrection.objects.select_related("author").order_by(
                    "created_at"
                ),
            )
        )[:LATEST_LOGS]
    )
    tutor_roles = current_tutor_roles(user, student)
    can_log = bool(tutor_roles)  # = can_write_progress_log, can_sign_off_milestone
    may_request = may_request_signoff(user, student)
    practice_tutors = list(signoff.practice_tutor_users(student)) if may_request else []
    for log in progress_logs:
        log.student = student
        # Offered only to a practice tutor who did not write the log, never to oneself.
        log.signoff_tutors = signoff.signoff_tutors_for(practice_tutors, log, user=user)
    context: dict[str, Any] = {
        "student": student,
        "today": timezone.localdate(),
        "plan": plan,
        "older_plans": plans[1:],
        "actions": actions,
        "transition_form": PlanTransitionForm(),
        "tutors": TutorAssignment.objects.filter(student=student, ended_on__isnull=True)
        .select_related("tutor__user", "tutor__organization")
        .order_by("role", "started_on"),
        "milestones": Milestone.objects.visible_to(user)
        .filter(student=student)
        .select_related("signed_off_by"),
        "can_sign_off": can_log,
        "signoff_tutors": [tutor for tutor in practice_tutors if tutor.pk != user.pk],
        "now": timezone.now(),
        "can_plan_placement": student.status == Student.Status.ACTIVE
        and can_manage_placements(user, student.program),
        "placements": Placement.objects.visible_to(user)
        .filter(student=student)
        .select_related("host", "practice_tutor__user"),
        "projects": Project.objects.visible_to(user)
        .filter(members__user_id=student.user_id)
        .select_related("lead_organization")
        .distinct(),
        "case_totals": logs.case_totals(student=student) if in_care else None,
        "progress_logs": progress_logs,
        "acknowledgeable": {
            log.pk
            for log in progress_logs
            if log.acknowledged_at is None and can_acknowledge_log(user, log)
        },
        "acknowledge_form": AcknowledgeForm(),
        "log_form": ProgressLogForm(
            initial={"date": timezone.localdate()}, placements=placements_of(student)
        )
        if can_log
        else None,
    }
    # The status section (history, actions, destination, who read the record).
    context.update(status_context(user, student))
    context.update(extra)
    return render(request, template, context)
