"""Project pages: the register, a project, its status, members and outputs."""

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
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import User
from accounts.typing import AuthenticatedHttpRequest
from training_portal.core.history import history_enabled
from training_portal.core.permissions import is_active_user, require

from ..models import Program, Project
from ..scopes import administers, coordinated_organization_ids, project_program_ids_open_to
from . import services as projects
from .filters import ProjectFilter
from .forms import (
    ProjectForm,
    ProjectMemberForm,
    ProjectOutputForm,
    ProjectRefuseForm,
    ProjectStatusForm,
)
from .permissions import (
    can_confirm_completion,
    can_create_project,
    can_decide_proposal,
    can_manage_project,
    can_request_completion,
    can_set_project_status,
    proposes_as_member,
)
from .workflow import CLOSED

PROJECTS_PER_PAGE = 25


# ---- Projects ------------------------------------------------------------------------------


@require(is_active_user)
def project_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    filters = ProjectFilter(
        request.GET or None,
        queryset=Project.objects.visible_to(user),
        request=request,
        page=True,
    )
    rows = (
        filters.qs.select_related("program", "lead_organization")
        .annotate(member_count=Count("members"))
        .order_by(F("start_date").desc(nulls_last=True), "title", "pk")
    )
    page = Paginator(rows, PROJECTS_PER_PAGE).get_page(request.GET.get("page"))
    open_programs = (
        Program.objects.filter(pk__in=project_program_ids_open_to(user))
        .exclude(status=Program.Status.CLOSED)
        .order_by("code")
    )
    return render(
        request,
        "programs/projects/list.html",
        {"form": filters.form, "page": page, "open_programs": open_programs},
    )


@login_required
def project_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _render_project(request, _visible_project(request, pk))


@login_required
@require_http_methods(["GET", "POST"])
def project_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    program = get_object_or_404(Program.objects.visible_to(user), pk=pk)
    if not can_create_project(user, program):
        raise PermissionDenied
    organizations = projects.taking_part(program).order_by("name")
    leads = (
        organizations
        if administers(user, program) or proposes_as_member(user, program)
        else organizations.filter(pk__in=coordinated_organization_ids(user))
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
    if not can_decide_proposal(request.user, project):
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
    allowed = can_request_completion if step == "request" else can_confirm_completion
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
    if not can_manage_project(request.user, project):
        raise PermissionDenied
    return project


def _render_project(
    request: AuthenticatedHttpRequest, project: Project, **forms: Any
) -> HttpResponse:
    """The project page: partners, members, outputs, status history and, for those who run
    the project, its next statuses and the forms to add members and outputs."""
    user = request.user
    can_manage = can_manage_project(user, project)
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
        if can_manage and can_set_project_status(user, project, status)
    ]
    context: dict[str, Any] = {
        "project": project,
        "partners": project.partner_organizations.order_by("name"),
        "members": project.members.select_related("user").order_by("user__full_name", "pk"),
        "outputs": project.outputs.order_by(F("produced_on").desc(nulls_last=True), "title"),
        "status_history": _status_history(project),
        "can_manage": can_manage,
        "members_open": can_manage and project.status not in CLOSED,
        "next_statuses": next_statuses,
        "can_refuse": project.status == Project.Status.PROPOSED
        and can_decide_proposal(user, project),
        "can_request_completion": active
        and project.completion_requested_at is None
        and can_request_completion(user, project),
        "can_confirm_completion": active
        and project.completion_requested_at is not None
        and can_confirm_completion(user, project),
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
