"""Who may see funds, hold budget lines and decide expenditures."""

from __future__ import annotations

from typing import Any

from accounts.permissions import is_portal_admin
from accounts.roles import Role
from training_portal.core.permissions import is_active_user

from ..scopes import administers, coordinates


def can_manage_budget(user: Any, program: Any) -> bool:
    return administers(user, program)


def can_submit_expenditure(user: Any, line: Any) -> bool:
    return administers(user, line.program) or coordinates(user, line.holder)


def can_decide_expenditure(user: Any, expenditure: Any) -> bool:
    """Program administrators or the line's approver decide; never the submitter."""
    if not is_active_user(user) or expenditure.submitted_by_id == user.pk:
        return False
    if expenditure.status != expenditure.Status.SUBMITTED:
        return False
    line = expenditure.line
    return administers(user, line.program) or line.approver_id == user.pk


def sees_funds(user: Any) -> bool:
    """Who finds Funds in the menu: portal and program administrators, coordinators (the
    only ones who may hold budget lines). Everyone signed in may open the lists, which hold
    what they may see.

    Answered from the user's roles (no query of its own), so the navigation stays cheap.
    """
    if not getattr(user, "is_authenticated", False):
        return False
    return is_portal_admin(user) or bool(
        {Role.PROGRAM_ADMIN, Role.PARTNER_COORDINATOR} & user.role_names
    )
