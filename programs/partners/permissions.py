"""Who may manage organisations, agreements and counsellor postings, see the responsibilities."""

from __future__ import annotations

from typing import Any

from accounts.permissions import is_portal_admin
from accounts.roles import Role
from training_portal.core.permissions import is_active_user

from ..design.permissions import can_create_program
from ..scopes import administers, coordinates, holds_for


def can_open_agreement(user: Any, partner: Any) -> bool:
    """A signed agreement is for the program's administrators and the partner's coordinators."""
    return administers(user, partner.program) or coordinates(user, partner.organization)


def can_create_organization(user: Any) -> bool:
    return can_create_program(user)


def can_edit_organization(user: Any, organization: Any) -> bool:
    return is_portal_admin(user) or coordinates(user, organization)


def can_change_organization_status(user: Any, organization: Any) -> bool:
    """Probation, suspension and exit are decided by portal administrators."""
    return is_portal_admin(user)


def can_post_counsellors(user: Any, organization: Any) -> bool:
    """Counsellors are posted at an organisation (its mental-health service), and their
    postings ended, by portal administrators."""
    return is_portal_admin(user)


def can_renew_agreement(user: Any, partner: Any) -> bool:
    """A partnership's agreement is renewed by the program's administrators."""
    return administers(user, partner.program)


def can_see_responsibility_matrix(user: Any, program: Any) -> bool:
    """The matrix shows placements, projects and fund lines of every partner: for the
    program's administrators."""
    return administers(user, program)


def can_see_organization_people(user: Any, organization: Any, program_ids: Any = ()) -> bool:
    """Who works at an organisation (its tutors and coordinators) is shown to portal
    administrators, its own coordinators, and the administrators of the programs it takes
    part in (`program_ids`: those programs, already read by the page)."""
    from ..models import Program

    if is_portal_admin(user) or coordinates(user, organization):
        return True
    return any(holds_for(user, Role.PROGRAM_ADMIN, Program, pk) for pk in program_ids)


def manages_organizations(user: Any) -> bool:
    """Who finds the register in the Administration menu (everyone signed in may open it)."""
    if not is_active_user(user):
        return False
    return is_portal_admin(user) or bool(
        {Role.PROGRAM_ADMIN, Role.PARTNER_COORDINATOR} & set(user.role_names)
    )
