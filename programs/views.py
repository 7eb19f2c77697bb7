"""Role dashboards and pages of the programs app.

Reads start from `visible_to(request.user)` (outside it: 404); actions are checked with the
predicates of `programs.permissions` (allowed read, forbidden action: 403) and done by one
service call. A service's ValidationError is shown on the form, on a page rendered with 200.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.permissions import is_portal_admin
from accounts.roles import Role
from accounts.typing import AuthenticatedHttpRequest
from training_portal.core.permissions import is_active_user, require

from . import extensions, permissions, workflows
from .forms import (
    AcknowledgeForm,
    ConfirmPlacementForm,
    PlanForm,
    PlanTransitionForm,
    ProgressLogForm,
)
from .models import (
    Course,
    Milestone,
    Placement,
    Program,
    ProgramCourse,
    ProgressLog,
    ProgressLogCorrection,
    Project,
    Stage,
    Student,
    TrainingPlan,
    TutorAssignment,
)
from .services import logs, placements, record_views, signoff, training
from .views_status import status_context

LATEST_LOGS = 50
#: The latest steps of a program's lifecycle shown on its page (all are in its history).
STATUS_CHANGES_SHOWN = 10


# ---- Who the dashboards are for (navigation and page guards) --------------------------------


def _holds_any(user: Any, *roles: Role) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and any(
        role in user.role_names for role in roles
    )


def is_tutor(user: Any) -> bool:
    return _holds_any(user, Role.ACADEMIC_TUTOR, Role.PRACTICE_TUTOR)


def is_student(user: Any) -> bool:
    return _holds_any(user, Role.STUDENT)


def is_coordinator(user: Any) -> bool:
    return _holds_any(user, Role.PARTNER_COORDINATOR)


def sees_programs(user: Any) -> bool:
    """Who finds Programs in the menu; everyone signed in may open the list (it holds the
    programs they may see: none for an account without a role)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return is_portal_admin(user) or Program.objects.visible_to(user).exists()


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
        Student.objects.filter(pk__in=permissions.tutored_student_ids(user))
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


@login_required
@require_POST
def log_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    student = _visible_student(request, pk)
    if not permissions.can_write_progress_log(request.user, student):
        raise PermissionDenied
    form = ProgressLogForm(request.POST, placements=_placements_of(student))
    if form.is_valid():
        try:
            logs.write_progress_log(user=request.user, student=student, **form.log_fields())
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("The progress log has been saved."))
            return redirect("programs:student", pk=student.pk)
    return _render_student(request, student, log_form=form)


# ---- Student pages -------------------------------------------------------------------------


@login_required
def student_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    student = _visible_student(request, pk)
    record_views.log_record_view(reader=request.user, student=student)
    return _render_student(request, student)


@require(is_student)
@require_http_methods(["GET", "POST"])
def my_plan(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The student's own page, with the plan form: a new draft, or changes to the draft."""
    student = get_object_or_404(
        Student.objects.visible_to(request.user).select_related("user", "program"),
        user=request.user,
    )
    plan = _latest_plan(request.user, student)
    editing = plan is not None and permissions.can_edit_plan(request.user, plan)
    drafting = plan is None or (
        plan.status not in TrainingPlan.OPEN and not permissions.can_revise_plan(request.user, plan)
    )
    if not (editing or drafting):
        return _render_student(request, student, template="programs/my_plan.html")
    # Retired courses are offered no more, except to the plan that already has them.
    offered = Q(in_programs__program=student.program_id, in_programs__retired_at__isnull=True)
    if editing and plan is not None:
        offered |= Q(pk__in=plan.courses.values("pk"))
    courses = Course.objects.filter(offered).distinct().order_by("code")
    initial = PlanForm.initial_for(plan) if editing and plan is not None else None
    form = PlanForm(request.POST or None, initial=initial, courses=courses)
    if request.method == "POST" and form.is_valid():
        try:
            if editing and plan is not None:
                training.update_plan(user=request.user, plan=plan, **form.plan_fields())
            else:
                training.draft_plan(user=request.user, student=student, **form.plan_fields())
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Your plan has been saved."))
            return redirect("programs:my-plan")
    return _render_student(
        request, student, template="programs/my_plan.html", plan_form=form, editing=editing
    )


@login_required
@require_POST
def log_acknowledge(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    log = get_object_or_404(
        ProgressLog.objects.visible_to(request.user).select_related("student"), pk=pk
    )
    if not permissions.can_acknowledge_log(request.user, log):
        raise PermissionDenied
    form = AcknowledgeForm(request.POST)
    if form.is_valid():
        logs.acknowledge_log(user=request.user, log=log, comment=form.cleaned_data["comment"])
        messages.success(request, _("You have acknowledged the progress log."))
    return redirect("programs:my-plan")


_TRANSITIONS: dict[str, tuple[Callable[[Any, Any], bool], Callable[..., TrainingPlan]]] = {
    "submit": (permissions.can_submit_plan, training.submit_plan),
    "tutor_approve": (permissions.can_tutor_approve_plan, training.tutor_approve_plan),
    "approve": (permissions.can_approve_plan, training.approve_plan),
    "return": (permissions.can_return_plan, training.return_plan),
    "revise": (permissions.can_revise_plan, training.revise_plan),
}


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
        return _render_student(request, student, transition_form=form)
    allowed, service = _TRANSITIONS[form.cleaned_data["action"]]
    if not allowed(request.user, plan):
        raise PermissionDenied
    extra = {"comment": form.cleaned_data["comment"]} if service is training.return_plan else {}
    try:
        service(user=request.user, plan=plan, **extra)
    except ValidationError as exc:
        form.add_service_errors(exc)
        return _render_student(request, student, transition_form=form)
    messages.success(request, _("The plan has been updated."))
    if permissions.is_own_student_record(request.user, student):
        return redirect("programs:my-plan")
    return redirect("programs:student", pk=student.pk)


def _visible_student(request: AuthenticatedHttpRequest, pk: int) -> Student:
    return get_object_or_404(
        Student.objects.visible_to(request.user).select_related("user", "program"), pk=pk
    )


def _placements_of(student: Student) -> QuerySet[Placement]:
    return Placement.objects.filter(student=student).select_related("host").order_by("start_date")


def _latest_plan(user: Any, student: Student) -> TrainingPlan | None:
    return (
        TrainingPlan.objects.visible_to(user)
        .filter(student=student)
        .order_by("-version")
        .prefetch_related("courses", "case_targets")
        .first()
    )


def _render_student(
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
        if plan is not None and _TRANSITIONS[action][0](user, plan)
    ]
    in_care = Student.objects.filter(
        pk=student.pk, pk__in=permissions.student_ids_in_care_of(user)
    ).exists()
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
    tutor_roles = permissions.current_tutor_roles(user, student)
    can_log = bool(tutor_roles)  # = can_write_progress_log, can_sign_off_milestone
    may_request = signoff.may_request_signoff(user, student)
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
        and permissions.can_manage_placements(user, student.program),
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
            if log.acknowledged_at is None and permissions.can_acknowledge_log(user, log)
        },
        "acknowledge_form": AcknowledgeForm(),
        "log_form": ProgressLogForm(
            initial={"date": timezone.localdate()}, placements=_placements_of(student)
        )
        if can_log
        else None,
    }
    # The status section (history, actions, destination, who read the record).
    context.update(status_context(user, student))
    context.update(extra)
    return render(request, template, context)


# ---- Programs and placements ---------------------------------------------------------------


@require(is_active_user)
def program_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    programs = Program.objects.visible_to(request.user).select_related("lead_university")
    return render(request, "programs/program_list.html", {"programs": programs})


@login_required
def program_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    program = get_object_or_404(
        Program.objects.visible_to(user)
        .select_related("lead_university")
        .prefetch_related(
            "objectives",
            Prefetch(
                "stages",
                queryset=Stage.objects.prefetch_related("milestone_templates").order_by("order"),
            ),
            Prefetch(
                "curriculum",
                queryset=ProgramCourse.objects.select_related(
                    "course__delivering_organization"
                ).order_by("semester", "course__code"),
            ),
            "milestone_templates",
            "partners__organization",
            "partners__responsibilities",
        ),
        pk=pk,
    )
    students = (
        Student.objects.visible_to(user)
        .filter(program=program)
        .select_related("user")
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=TutorAssignment.objects.filter(ended_on__isnull=True)
                .select_related("tutor__user")
                .order_by("role", "started_on"),
                to_attr="current_assignments",
            )
        )
    )
    can_manage = permissions.can_manage_program(user, program)
    stages = list(program.stages.all())
    in_use_stages = {s.pk for s in stages if s.retired_at is None}
    templates = list(program.milestone_templates.all())
    return render(
        request,
        "programs/program_detail.html",
        {
            "program": program,
            "can_manage": can_manage,
            "can_edit_elements": can_manage and workflows.allows(program, "edit_elements"),
            "transitions": workflows.allowed_transitions(user, program),
            "openable_agreements": {
                partner.pk
                for partner in program.partners.all()
                if partner.agreement_file and permissions.can_open_agreement(user, partner)
            },
            # Other apps' pages about the program (evaluation's indicators, new round, dashboard).
            "sections": extensions.sections_for(user, program),
            "students": students,
            "objectives": _in_use(program.objectives.all()),
            "stages": _in_use(stages),
            "unplaced_templates": [
                t for t in templates if t.retired_at is None and t.stage_id not in in_use_stages
            ],
            "retired_templates": [t for t in templates if t.retired_at is not None],
            "curriculum": _in_use(program.curriculum.all()),
            "editable_courses": permissions.course_ids_editable_by(
                user, Course.objects.filter(in_programs__program=program)
            )
            if can_manage
            else set(),
            "partners": _split(program.partners.all(), lambda p: p.is_active),
            # Who moved the program through its lifecycle and why: for those who manage it.
            "status_changes": program.status_changes.select_related("changed_by")[
                :STATUS_CHANGES_SHOWN
            ]
            if can_manage
            else [],
        },
    )


def _split(rows: Any, in_use: Any) -> tuple[list[Any], list[Any]]:
    """(in use, retired), for the page's two lists of an element."""
    rows = list(rows)
    return [r for r in rows if in_use(r)], [r for r in rows if not in_use(r)]


def _in_use(rows: Any) -> tuple[list[Any], list[Any]]:
    return _split(rows, lambda row: row.retired_at is None)


@require(is_coordinator)
def placements_to_confirm(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _render_placements(request, ConfirmPlacementForm())


@require(is_coordinator)
@require_POST
def placement_confirm(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    placement = get_object_or_404(
        Placement.objects.visible_to(request.user).select_related("host"), pk=pk
    )
    # Only the host's coordinators act here; "already confirmed" is the service's to say.
    if not permissions.coordinates(request.user, placement.host):
        raise PermissionDenied
    form = ConfirmPlacementForm(request.POST)
    try:
        placements.confirm_placement(user=request.user, placement=placement)
    except ValidationError as exc:
        form.add_service_errors(exc)
        return _render_placements(request, form)
    messages.success(request, _("The placement is confirmed."))
    return redirect("programs:placements-to-confirm")


def _render_placements(
    request: AuthenticatedHttpRequest, form: ConfirmPlacementForm
) -> HttpResponse:
    rows = list(
        placements.planned_placements_hosted_by(request.user)
        .with_capacity()
        .select_related("student__user", "student__program", "host", "practice_tutor__user")
        .order_by("start_date", "id")
    )
    last_start = placements.confirmable_by()
    notice = dt.timedelta(days=placements.START_NOTICE_DAYS)
    for row in rows:
        row.confirmable_from = row.start_date - notice
    return render(
        request,
        "programs/placements_to_confirm.html",
        {
            "placements": [row for row in rows if row.start_date <= last_start],
            "later": [row for row in rows if row.start_date > last_start],
            "notice_days": placements.START_NOTICE_DAYS,
            "form": form,
        },
    )
