"""Projects of a program: proposal by the program's administrators, a partner's coordinator,
a student or a tutor; approval or refusal (with a reason) by the program's administrators or
the lead's coordinators, never of their own proposal; the status workflow (kept in the
project's history); completion asked for, then confirmed by someone other than the proposer
and the asker (only then do the reward points come); members and outputs.

Lead and partner organisations take part in the program (its lead university or an active
partner); members are the program's students and the tutors and coordinators of the
project's organisations. Once completed or failed, a project's members no longer change:
completed projects earn reward points for their members.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from training_portal.core.formats import format_date
from training_portal.core.history import history_context
from training_portal.core.validation import validated_save

from ..design import workflow
from ..models import Organization, Program, Project, ProjectMember, ProjectOutput, Student
from ..scopes import administers, coordinates, coordinator_ids
from . import permissions
from .workflow import CLOSED, TRANSITIONS

__all__ = [
    "add_member",
    "add_output",
    "confirm_completion",
    "create_project",
    "eligible_members",
    "next_statuses",
    "on_project_completed",
    "refuse_project",
    "remove_member",
    "request_completion",
    "taking_part",
    "update_project_status",
]

Status = Project.Status
Errors = dict[str, list[str]]

#: Called as `callback(project=..., user=...)` inside `confirm_completion`'s transaction
#: when a project becomes completed (the reward ledger awards its points there).
_completed_callbacks: list[Callable[..., Any]] = []


def on_project_completed(callback: Callable[..., Any]) -> None:
    """Have `callback(project=..., user=...)` called, in the same transaction, each time a
    project becomes completed; an error in it undoes the completion. Registering the same
    callback twice calls it once."""
    if callback not in _completed_callbacks:
        _completed_callbacks.append(callback)


@transaction.atomic
def create_project(
    *,
    user: User,
    program: Program,
    title: str,
    kind: str,
    size: str,
    lead_organization: Organization,
    partner_organizations: Iterable[Organization] = (),
    start_date: dt.date | None = None,
    end_date: dt.date | None = None,
    description: str = "",
) -> Project:
    """Propose a project of the program, led by an organisation taking part in it."""
    if not permissions.can_create_project(user, program):
        raise PermissionDenied
    partners = list(dict.fromkeys(partner_organizations))
    member_proposer = not administers(user, program) and permissions.proposes_as_member(
        user, program
    )
    errors: Errors = {}
    if not workflow.allows(program, "start_projects"):
        errors[NON_FIELD_ERRORS] = [workflow.refusal(program, "start_projects")]
    open_to = set(taking_part(program).values_list("pk", flat=True))
    if lead_organization.pk not in open_to:
        errors["lead_organization"] = [
            _("The lead organisation must be the program's lead university or one of its partners.")
        ]
    elif (
        not administers(user, program)
        and not coordinates(user, lead_organization)
        and not member_proposer
    ):
        errors["lead_organization"] = [
            _("You can propose projects only for an organisation you coordinate.")
        ]
    outside = [str(org) for org in partners if org.pk not in open_to]
    if outside:
        errors["partner_organizations"] = [
            _("Not a partner of the program: %(names)s.") % {"names": ", ".join(outside)}
        ]
    elif lead_organization in partners:
        errors["partner_organizations"] = [
            _("The lead organisation is not also one of the partners.")
        ]
    errors.update(period_errors(start_date, end_date))
    with history_context(user=user.pk):
        project = validated_save(
            Project(
                program=program,
                title=(title or "").strip(),
                kind=kind,
                size=size,
                lead_organization=lead_organization,
                start_date=start_date,
                end_date=end_date,
                description=(description or "").strip(),
                proposed_by=user,
            ),
            errors=errors,
            constraint_fields={"programs_project_period_order": "end_date"},
        )
        project.partner_organizations.set(partners)
        if member_proposer:
            # Students and tutors propose the projects they will work on.
            ProjectMember.objects.create(project=project, user=user, role=ProjectMember.Role.LEAD)
    return project


def next_statuses(project: Project) -> tuple[str, ...]:
    return TRANSITIONS.get(project.status, ())


@transaction.atomic
def update_project_status(*, user: User, project: Project, status: str) -> Project:
    """Move the project along its workflow; the project's history records who and when."""
    if not permissions.can_manage_project(user, project):
        raise PermissionDenied
    project.refresh_from_db(from_queryset=Project.objects.select_for_update())
    allowed = next_statuses(project)
    if status not in allowed:
        current = Status(project.status).label
        if status == Status.COMPLETED and project.status == Status.ACTIVE:
            message = _(
                "Ask for the project's completion; someone other than its proposer confirms it."
            )
        elif status == project.status:
            message = _("The project is already “%(status)s”.") % {"status": current}
        elif not allowed:
            message = _("A “%(status)s” project no longer changes status.") % {"status": current}
        elif len(allowed) == 1:
            message = _("A “%(status)s” project can only become “%(next)s”.") % {
                "status": current,
                "next": Status(allowed[0]).label,
            }
        else:
            message = _("A “%(status)s” project can become “%(first)s” or “%(second)s”.") % {
                "status": current,
                "first": Status(allowed[0]).label,
                "second": Status(allowed[1]).label,
            }
        raise ValidationError({"status": [message]})
    if not permissions.can_set_project_status(user, project, status):
        raise PermissionDenied(_("Only the program's administrators approve a proposed project."))
    project.status = status
    # Token-authenticated API calls are not known to the history middleware: say who it is.
    with history_context(user=user.pk):
        project.save(update_fields=["status"])
    return project


@transaction.atomic
def refuse_project(*, user: User, project: Project, reason: str) -> Project:
    """The program's administrators or the lead's coordinators refuse a proposal, saying why
    (not their own proposal)."""
    project.refresh_from_db(from_queryset=Project.objects.select_for_update())
    if not permissions.can_decide_proposal(user, project):
        raise PermissionDenied
    if project.status != Status.PROPOSED:
        raise ValidationError({NON_FIELD_ERRORS: [_("Only a proposed project can be refused.")]})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the proposal is refused.")]})
    project.status, project.refusal_reason = Status.REFUSED, reason
    with history_context(user=user.pk):
        project.save(update_fields=["status", "refusal_reason"])
    return project


@transaction.atomic
def request_completion(*, user: User, project: Project) -> Project:
    """Someone who runs the project, or a member, says that the active project is done;
    someone else confirms it (`confirm_completion`)."""
    project.refresh_from_db(from_queryset=Project.objects.select_for_update())
    if not permissions.can_request_completion(user, project):
        raise PermissionDenied
    if project.status != Status.ACTIVE:
        raise ValidationError(
            {NON_FIELD_ERRORS: [_("Only an active project can be declared completed.")]}
        )
    if project.completion_requested_at is not None:
        raise ValidationError(
            {NON_FIELD_ERRORS: [_("The completion is already waiting for confirmation.")]}
        )
    project.completion_requested_by, project.completion_requested_at = user, timezone.now()
    with history_context(user=user.pk):
        project.save(update_fields=["completion_requested_by", "completion_requested_at"])
    return project


@transaction.atomic
def confirm_completion(*, user: User, project: Project) -> Project:
    """Someone who runs the project, other than its proposer and than who asked, confirms the
    completion: the project is completed and the callbacks (the reward ledger) run."""
    project.refresh_from_db(from_queryset=Project.objects.select_for_update())
    if not permissions.can_confirm_completion(user, project):
        raise PermissionDenied(
            _("Someone other than the proposer and who asked confirms the completion.")
        )
    if project.status != Status.ACTIVE or project.completion_requested_at is None:
        raise ValidationError(
            {NON_FIELD_ERRORS: [_("Nobody has asked to confirm this project's completion.")]}
        )
    project.status = Status.COMPLETED
    project.completion_confirmed_by, project.completion_confirmed_at = user, timezone.now()
    with history_context(user=user.pk):
        project.save(update_fields=["status", "completion_confirmed_by", "completion_confirmed_at"])
        for callback in _completed_callbacks:
            callback(project=project, user=user)
    return project


# ---- Members and outputs -------------------------------------------------------------------


@transaction.atomic
def add_member(
    *, user: User, project: Project, member_user: User, role: str = ProjectMember.Role.MEMBER
) -> ProjectMember:
    """Add a student of the program, or a tutor or coordinator of the project's organisations."""
    if not permissions.can_manage_project(user, project):
        raise PermissionDenied
    errors: Errors = {}
    if project.status in CLOSED:
        errors[NON_FIELD_ERRORS] = [_closed_message(project)]
    if ProjectMember.objects.filter(project=project, user=member_user).exists():
        errors["member_user"] = [
            _("%(person)s is already a member of the project.") % {"person": member_user}
        ]
    elif not eligible_members(project).filter(pk=member_user.pk).exists():
        errors["member_user"] = [
            _(
                "%(person)s is neither a student of the program nor a tutor or coordinator of "
                "the project's organisations."
            )
            % {"person": member_user}
        ]
    with history_context(user=user.pk):
        return validated_save(
            ProjectMember(project=project, user=member_user, role=role),
            errors=errors,
            constraint_fields={"programs_project_member_unique": "member_user"},
            exclude=["user"],
        )


@transaction.atomic
def remove_member(*, user: User, project: Project, member_user: User) -> None:
    """Take someone off the project (while it is not completed or failed)."""
    if not permissions.can_manage_project(user, project):
        raise PermissionDenied
    if project.status in CLOSED:
        raise ValidationError({NON_FIELD_ERRORS: [_closed_message(project)]})
    with history_context(user=user.pk):
        deleted, _rows = ProjectMember.objects.filter(project=project, user=member_user).delete()
    if not deleted:
        raise ValidationError(
            {
                "member_user": [
                    _("%(person)s is not a member of the project.") % {"person": member_user}
                ]
            }
        )


@transaction.atomic
def add_output(
    *,
    user: User,
    project: Project,
    kind: str,
    title: str,
    reference: str = "",
    produced_on: dt.date | None = None,
) -> ProjectOutput:
    """Record what the project produced (a paper, a patent, software, a company …)."""
    if not permissions.can_manage_project(user, project):
        raise PermissionDenied
    errors: Errors = {}
    if produced_on is not None:
        if produced_on > timezone.localdate():
            errors["produced_on"] = [_("The date cannot be in the future.")]
        elif project.start_date and produced_on < project.start_date:
            errors["produced_on"] = [
                _("The date cannot be before the project started (%(start)s).")
                % {"start": format_date(project.start_date)}
            ]
    with history_context(user=user.pk):
        return validated_save(
            ProjectOutput(
                project=project,
                kind=kind,
                title=(title or "").strip(),
                reference=(reference or "").strip(),
                produced_on=produced_on,
            ),
            errors=errors,
        )


# ---- Queries the pages and the API share ---------------------------------------------------


def taking_part(program: Program) -> Any:
    """The organisations that may lead or partner a project of the program."""
    return Organization.objects.filter(
        Q(pk=program.lead_university_id)
        | Q(partnerships__program=program, partnerships__is_active=True)
    ).distinct()


def eligible_members(project: Project) -> Any:
    """Who may join: the program's students, the tutors and the coordinators of the lead and
    partner organisations (active accounts)."""
    organizations = Q(pk=project.lead_organization_id) | Q(partner_projects=project)
    organization_ids = Organization.objects.filter(organizations).values("pk")
    coordinators = coordinator_ids(organization_ids)
    return User.objects.filter(
        Q(pk__in=Student.objects.filter(program=project.program_id).values("user_id"))
        | Q(tutor_profile__organization__in=organization_ids, tutor_profile__is_active=True)
        | Q(pk__in=coordinators),
        is_active=True,
    )


def _closed_message(project: Project) -> str:
    return _("The project is “%(status)s”; its members no longer change.") % {
        "status": project.get_status_display()
    }


def period_errors(start_date: dt.date | None, end_date: dt.date | None) -> Errors:
    """A project does not end before it starts (the form shows it with the field errors; the
    services check it again)."""
    if start_date and end_date and end_date < start_date:
        return {
            "end_date": [
                _("The project cannot end (%(end)s) before it starts (%(start)s).")
                % {"end": format_date(end_date), "start": format_date(start_date)}
            ]
        }
    return {}
