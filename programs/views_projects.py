"""Project pages (register, detail with its workflow, members and outputs) and case logs in
the browser (a student records cases; their practice tutor verifies them).

Reads start from `visible_to(request.user)` (outside it: 404); actions are checked with the
predicates of `programs.permissions` (allowed read, forbidden action: 403) and done by one
service call, whose ValidationError is shown on the form of a page rendered with 200.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, F
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import User
from accounts.permissions import is_portal_admin
from accounts.roles import Role
from accounts.typing import AuthenticatedHttpRequest
from training_portal.core.attention import AttentionItem
from training_portal.core.history import history_enabled
from training_portal.core.permissions import is_active_user, require

from . import permissions
from .forms_projects import (
    CaseLogForm,
    ProjectFilterForm,
    ProjectForm,
    ProjectMemberForm,
    ProjectOutputForm,
    ProjectRefuseForm,
    ProjectStatusForm,
    VerifyCaseForm,
)
from .models import CaseLog, Placement, Program, Project, Student
from .services import logs, projects
from .views import is_student, is_tutor

PROJECTS_PER_PAGE = 25
CASES_PER_PAGE = 50
RECENT_CASES = 10
_PROJECT_ROLES = (
    Role.PROGRAM_ADMIN,
    Role.PARTNER_COORDINATOR,
    Role.ACADEMIC_TUTOR,
    Role.PRACTICE_TUTOR,
    Role.STUDENT,
)


def sees_projects(user: Any) -> bool:
    """Who finds the project register in the menu; everyone signed in may open it (it lists
    the projects they may see)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if is_portal_admin(user) or any(role in user.role_names for role in _PROJECT_ROLES):
        return True
    return Project.objects.visible_to(user).exists()


# ---- Projects ------------------------------------------------------------------------------


@require(is_active_user)
def project_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    form = ProjectFilterForm(
        request.GET or None, programs=Program.objects.visible_to(user).order_by("code")
    )
    rows = (
        Project.objects.visible_to(user)
        .filter(**form.filters())
        .select_related("program", "lead_organization")
        .annotate(member_count=Count("members"))
        .order_by(F("start_date").desc(nulls_last=True), "title", "pk")
    )
    page = Paginator(rows, PROJECTS_PER_PAGE).get_page(request.GET.get("page"))
    open_programs = (
        Program.objects.filter(pk__in=permissions.project_program_ids_open_to(user))
        .exclude(status=Program.Status.CLOSED)
        .order_by("code")
    )
    return render(
        request,
        "programs/projects/list.html",
        {"form": form, "page": page, "open_programs": open_programs},
    )


@login_required
def project_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _render_project(request, _visible_project(request, pk))


@login_required
@require_http_methods(["GET", "POST"])
def project_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    program = get_object_or_404(Program.objects.visible_to(user), pk=pk)
    if not permissions.can_create_project(user, program):
        raise PermissionDenied
    organizations = projects.taking_part(program).order_by("name")
    leads = (
        organizations
        if permissions.administers(user, program) or permissions.proposes_as_member(user, program)
        else organizations.filter(pk__in=permissions.coordinated_organization_ids(user))
    )
    form = ProjectForm(request.POST or None, leads=leads, partners=organizations)
    if request.method == "POST" and form.is_valid():
        try:
            project = projects.create_project(user=user, program=program, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("The project has been proposed."))
            return redirect("programs:project-detail", pk=project.pk)
    return render(request, "programs/projects/form.html", {"form": form, "program": program})


@login_required
@require_POST
def project_status(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    project = _managed_project(request, pk)
    form = ProjectStatusForm(request.POST)
    if form.is_valid():
        try:
            projects.update_project_status(
                user=request.user, project=project, status=form.cleaned_data["status"]
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(
                request,
                _("The project is now “%(status)s”.") % {"status": project.get_status_display()},
            )
            return redirect("programs:project-detail", pk=project.pk)
    return _render_project(request, project, status_form=form)


@login_required
@require_POST
def project_refuse(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    project = _visible_project(request, pk)
    if not permissions.can_decide_proposal(request.user, project):
        raise PermissionDenied
    form = ProjectRefuseForm(request.POST)
    if form.is_valid():
        try:
            projects.refuse_project(user=request.user, project=project, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("The proposal is refused."))
            return redirect("programs:project-detail", pk=project.pk)
    return _render_project(request, project, refuse_form=form)


@login_required
@require_POST
def project_completion(request: AuthenticatedHttpRequest, pk: int, step: str) -> HttpResponse:
    """`step` is "request" (a member or who runs it says it is done) or "confirm"."""
    project = _visible_project(request, pk)
    allowed = (
        permissions.can_request_completion
        if step == "request"
        else permissions.can_confirm_completion
    )
    if not allowed(request.user, project):
        raise PermissionDenied
    service = projects.request_completion if step == "request" else projects.confirm_completion
    try:
        service(user=request.user, project=project)
    except ValidationError as exc:
        form = ProjectStatusForm(request.POST)
        form.add_service_errors(exc)
        return _render_project(request, project, status_form=form)
    if step == "request":
        messages.success(request, _("The completion now waits for someone else's confirmation."))
    else:
        messages.success(request, _("The completion is confirmed."))
    return redirect("programs:project-detail", pk=project.pk)


@login_required
@require_POST
def project_member_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    project = _managed_project(request, pk)
    form = ProjectMemberForm(request.POST)
    if form.is_valid():
        try:
            projects.add_member(
                user=request.user,
                project=project,
                member_user=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
            )
        except ValidationError as exc:
            form.add_service_errors(exc, {"member_user": "email"})
        else:
            messages.success(request, _("The member has been added."))
            return redirect("programs:project-detail", pk=project.pk)
    return _render_project(request, project, member_form=form)


@login_required
@require_POST
def project_member_remove(
    request: AuthenticatedHttpRequest, pk: int, member_pk: int
) -> HttpResponse:
    project = _managed_project(request, pk)
    member = get_object_or_404(project.members.select_related("user"), pk=member_pk)
    form = ProjectMemberForm()
    try:
        projects.remove_member(user=request.user, project=project, member_user=member.user)
    except ValidationError as exc:
        form.add_service_errors(exc, {"member_user": "email"})
        return _render_project(request, project, member_form=form)
    messages.success(
        request, _("%(person)s is no longer a member of the project.") % {"person": member.user}
    )
    return redirect("programs:project-detail", pk=project.pk)


@login_required
@require_POST
def project_output_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    project = _managed_project(request, pk)
    form = ProjectOutputForm(request.POST)
    if form.is_valid():
        try:
            projects.add_output(user=request.user, project=project, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("The output has been recorded."))
            return redirect("programs:project-detail", pk=project.pk)
    return _render_project(request, project, output_form=form)


def _visible_project(request: AuthenticatedHttpRequest, pk: int) -> Project:
    return get_object_or_404(
        Project.objects.visible_to(request.user).select_related(
            "program",
            "lead_organization",
            "proposed_by",
            "completion_requested_by",
            "completion_confirmed_by",
        ),
        pk=pk,
    )


def _managed_project(request: AuthenticatedHttpRequest, pk: int) -> Project:
    project = _visible_project(request, pk)
    if not permissions.can_manage_project(request.user, project):
        raise PermissionDenied
    return project


def _render_project(
    request: AuthenticatedHttpRequest, project: Project, **forms: Any
) -> HttpResponse:
    """The project page: partners, members, outputs, status history and, for those who run
    the project, its next statuses and the forms to add members and outputs."""
    user = request.user
    can_manage = permissions.can_manage_project(user, project)
    active = project.status == Project.Status.ACTIVE
    # A proposal is approved or refused (with a reason), not marked as failed on its page.
    offered = [
        status
        for status in projects.next_statuses(project)
        if not (project.status == Project.Status.PROPOSED and status == Project.Status.FAILED)
    ]
    next_statuses = [
        (status, Project.Status(status).label)
        for status in offered
        if can_manage and permissions.can_set_project_status(user, project, status)
    ]
    context: dict[str, Any] = {
        "project": project,
        "partners": project.partner_organizations.order_by("name"),
        "members": project.members.select_related("user").order_by("user__full_name", "pk"),
        "outputs": project.outputs.order_by(F("produced_on").desc(nulls_last=True), "title"),
        "status_history": _status_history(project),
        "can_manage": can_manage,
        "members_open": can_manage and project.status not in projects.CLOSED,
        "next_statuses": next_statuses,
        "can_refuse": project.status == Project.Status.PROPOSED
        and permissions.can_decide_proposal(user, project),
        "can_request_completion": active
        and project.completion_requested_at is None
        and permissions.can_request_completion(user, project),
        "can_confirm_completion": active
        and project.completion_requested_at is not None
        and permissions.can_confirm_completion(user, project),
        "refuse_form": ProjectRefuseForm(),
        "status_form": ProjectStatusForm(),
        "member_form": ProjectMemberForm(),
        "output_form": ProjectOutputForm(),
    }
    context.update(forms)
    return render(request, "programs/projects/detail.html", context)


def _status_history(project: Project) -> list[dict[str, Any]]:
    """Each status the project took, when and by whom, from its history (two queries)."""
    if not history_enabled():
        return []
    events = list(
        apps.get_model("programs", "ProjectEvent")
        ._default_manager.filter(pgh_obj_id=project.pk)
        .order_by("pgh_id")
        .values("status", "pgh_created_at", "pgh_context__metadata")
    )
    changes, previous = [], None
    for event in events:
        if event["status"] != previous:
            changes.append(event)
            previous = event["status"]
    actor_ids = {
        int(metadata["user"])
        for event in changes
        if (metadata := event["pgh_context__metadata"]) and metadata.get("user")
    }
    actors = {account.pk: account for account in User.objects.filter(pk__in=actor_ids)}
    return [
        {
            "status": Project.Status(event["status"]).label,
            "at": event["pgh_created_at"],
            "by": actors.get(int((event["pgh_context__metadata"] or {}).get("user") or 0)),
        }
        for event in reversed(changes)
    ]


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
    case_log = get_object_or_404(
        CaseLog.objects.visible_to(request.user).select_related("placement__practice_tutor"),
        pk=pk,
    )
    if not permissions.can_verify_case_log(request.user, case_log):
        raise PermissionDenied
    form = VerifyCaseForm(request.POST)
    try:
        logs.verify_case_log(user=request.user, case_log=case_log)
    except ValidationError as exc:
        form.add_service_errors(exc)
        return _render_to_verify(request, form)
    messages.success(request, _("The cases are verified."))
    return redirect("programs:cases-to-verify")


def _to_verify(user: Any) -> Any:
    return CaseLog.objects.visible_to(user).filter(permissions.case_logs_to_verify_filter(user))


def _render_to_verify(request: AuthenticatedHttpRequest, form: VerifyCaseForm) -> HttpResponse:
    rows = (
        _to_verify(request.user)
        .select_related("student__user", "placement__host", "recorded_by")
        .order_by("date", "id")
    )
    page = Paginator(rows, CASES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "programs/cases/to_verify.html", {"page": page, "form": form})


CASES_TO_VERIFY = gettext_lazy("Case-log entries to verify")


def case_logs_to_verify_attention(user: Any) -> list[AttentionItem]:
    """Home-page item for tutors: how many case-log entries wait for their verification."""
    if not is_tutor(user):
        return []
    return [
        AttentionItem(
            label=CASES_TO_VERIFY,
            count=_to_verify(user).count(),
            url=reverse("programs:cases-to-verify"),
            level="warning",
        )
    ]
