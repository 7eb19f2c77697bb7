"""Project pages: the register, a project, its status, members and outputs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.db.models import Count, F
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import User
from accounts.typing import AuthenticatedHttpRequest
from training_portal.core.forms import BootstrapForm
from training_portal.core.history import history_enabled
from training_portal.core.pages import act, form_refusal, page_of, permitted, submit
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

#: The member form's field for the service's `member_user`.
MEMBER_ALIASES = {"member_user": "email"}


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
    page = page_of(request, rows, PROJECTS_PER_PAGE)
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
    program = permitted(Program.objects.visible_to(user), user, can_create_project, pk=pk)
    organizations = projects.taking_part(program).order_by("name")
    leads = (
        organizations
        if administers(user, program) or proposes_as_member(user, program)
        else organizations.filter(pk__in=coordinated_organization_ids(user))
    )
    form = ProjectForm(request.POST or None, leads=leads, partners=organizations)
    return submit(
        request,
        form,
        lambda data: projects.create_project(user=user, program=program, **data),
        success=_("The project has been proposed."),
        redirect_to=_detail,
        page=lambda: render(
            request, "programs/projects/form.html", {"form": form, "program": program}
        ),
    )


@login_required
@require_POST
def project_status(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    project = _managed_project(request, pk)
    return _project_form(
        request,
        project,
        "status_form",
        ProjectStatusForm(request.POST),
        lambda data: projects.update_project_status(
            user=request.user, project=project, status=data["status"]
        ),
        lambda _result: (
            _("The project is now “%(status)s”.") % {"status": project.get_status_display()}
        ),
    )


@login_required
@require_POST
def project_refuse(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    project = _visible_project(request, pk, can_decide_proposal)
    return _project_form(
        request,
        project,
        "refuse_form",
        ProjectRefuseForm(request.POST),
        lambda data: projects.refuse_project(user=request.user, project=project, **data),
        _("The proposal is refused."),
    )


@login_required
@require_POST
def project_completion(request: AuthenticatedHttpRequest, pk: int, step: str) -> HttpResponse:
    """`step` is "request" (a member or who runs it says it is done) or "confirm"."""
    allowed = can_request_completion if step == "request" else can_confirm_completion
    project = _visible_project(request, pk, allowed)
    service = projects.request_completion if step == "request" else projects.confirm_completion
    form = ProjectStatusForm(request.POST)
    return act(
        request,
        lambda: service(user=request.user, project=project),
        refused=form_refusal(form, lambda: _render_project(request, project, status_form=form)),
        success=_("The completion now waits for someone else's confirmation.")
        if step == "request"
        else _("The completion is confirmed."),
        redirect_to=_detail(project),
    )


@login_required
@require_POST
def project_member_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    project = _managed_project(request, pk)
    return _project_form(
        request,
        project,
        "member_form",
        ProjectMemberForm(request.POST),
        lambda data: projects.add_member(
            user=request.user, project=project, member_user=data["email"], role=data["role"]
        ),
        _("The member has been added."),
        aliases=MEMBER_ALIASES,
    )


@login_required
@require_POST
def project_member_remove(
    request: AuthenticatedHttpRequest, pk: int, member_pk: int
) -> HttpResponse:
    project = _managed_project(request, pk)
    member = get_object_or_404(project.members.select_related("user"), pk=member_pk)
    form = ProjectMemberForm()
    return act(
        request,
        lambda: projects.remove_member(user=request.user, project=project, member_user=member.user),
        refused=form_refusal(
            form, lambda: _render_project(request, project, member_form=form), MEMBER_ALIASES
        ),
        success=_("%(person)s is no longer a member of the project.") % {"person": member.user},
        redirect_to=_detail(project),
    )


@login_required
@require_POST
def project_output_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    project = _managed_project(request, pk)
    return _project_form(
        request,
        project,
        "output_form",
        ProjectOutputForm(request.POST),
        lambda data: projects.add_output(user=request.user, project=project, **data),
        _("The output has been recorded."),
    )


def _detail(project: Project) -> str:
    return reverse("programs:project-detail", args=[project.pk])


def _project_form(
    request: AuthenticatedHttpRequest,
    project: Project,
    form_key: str,
    form: BootstrapForm,
    action: Callable[[dict[str, Any]], Any],
    success: str | Callable[[Any], str],
    aliases: dict[str, str] | None = None,
) -> HttpResponse:
    """A form posted from the project's page: back to it on success, else shown on it."""
    return submit(
        request,
        form,
        action,
        success=success,
        redirect_to=_detail(project),
        page=lambda: _render_project(request, project, **{form_key: form}),
        aliases=aliases,
    )


def _visible_project(
    request: AuthenticatedHttpRequest,
    pk: int,
    predicate: Callable[[Any, Project], bool] = lambda user, project: True,
) -> Project:
    visible = Project.objects.visible_to(request.user).select_related(
        "program",
        "lead_organization",
        "proposed_by",
        "completion_requested_by",
        "completion_confirmed_by",
    )
    return permitted(visible, request.user, predicate, pk=pk)


def _managed_project(request: AuthenticatedHttpRequest, pk: int) -> Project:
    return _visible_project(request, pk, can_manage_project)


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
