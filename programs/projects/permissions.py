"""Who may see, propose, decide and manage projects."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from accounts.permissions import is_portal_admin
from accounts.roles import Role
from training_portal.core.permissions import is_active_user

from ..models import Project
from ..scopes import (
    administers,
    holds_for,
    own_program_ids,
    program_model,
    project_program_ids_open_to,
    tutor_organization_ids_of,
)


def proposes_as_member(user: Any, program: Any) -> bool:
    """Students of the program and tutors of an organisation taking part in it propose
    projects they then work on (they become its lead member)."""
    from ..models import Program

    if not is_active_user(user):
        return False
    tutoring = tutor_organization_ids_of(user)
    return Program.objects.filter(
        Q(pk__in=own_program_ids(user))
        | Q(lead_university__in=tutoring)
        | Q(partners__organization__in=tutoring, partners__is_active=True),
        pk=program.pk,
    ).exists()


def can_create_project(user: Any, program: Any) -> bool:
    if administers(user, program) or proposes_as_member(user, program):
        return True
    if not is_active_user(user) or Role.PARTNER_COORDINATOR not in user.role_names:
        return False
    return (
        program_model()
        .objects.filter(pk=program.pk, pk__in=project_program_ids_open_to(user))
        .exists()
    )


def administers_project_program(user: Any, project: Any) -> bool:
    from ..models import Program

    return is_portal_admin(user) or holds_for(user, Role.PROGRAM_ADMIN, Program, project.program_id)


def can_manage_project(user: Any, project: Any) -> bool:
    """The program's administrators and the coordinators of the lead organisation."""
    from ..models import Organization

    return administers_project_program(user, project) or holds_for(
        user, Role.PARTNER_COORDINATOR, Organization, project.lead_organization_id
    )


def can_decide_proposal(user: Any, project: Any) -> bool:
    """The program's administrators or the lead organisation's coordinators approve or refuse
    a proposal, never their own (completed projects earn reward points)."""
    return can_manage_project(user, project) and project.proposed_by_id != user.pk


def can_set_project_status(user: Any, project: Any, status: str) -> bool:
    if status == project.Status.APPROVED:
        return can_decide_proposal(user, project)
    return can_manage_project(user, project)


def can_request_completion(user: Any, project: Any) -> bool:
    """Those who run the project and its members say it is done."""
    if can_manage_project(user, project):
        return True
    return is_active_user(user) and project.members.filter(user=user).exists()


def can_confirm_completion(user: Any, project: Any) -> bool:
    """Someone who runs the project confirms its completion: neither who proposed it nor who
    asked for the confirmation."""
    return (
        can_manage_project(user, project)
        and project.proposed_by_id != user.pk
        and project.completion_requested_by_id != user.pk
    )


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
