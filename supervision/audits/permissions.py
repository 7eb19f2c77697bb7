"""Who sees the audit runs, the dashboard and the rule settings, and who starts audits and
changes settings (portal administrators; program administrators for their programs). Deny by
default."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from accounts.permissions import is_portal_admin, visible_filter
from accounts.roles import Role
from programs.scopes import administered_program_ids, administers
from training_portal.core.permissions import is_active_user


@visible_filter
def audit_run_filter(user: Any) -> Q:
    """Runs of the programs one administers; whole-portal runs for portal administrators."""
    return Q(program__in=administered_program_ids(user))


def sees_audits(user: Any) -> bool:
    """The audit dashboard and rule settings: portal and program administrators."""
    return is_portal_admin(user) or (is_active_user(user) and bool(administered_program_ids(user)))


def administers_any(user: Any) -> bool:
    """`sees_audits` from the user's cached roles (no query): for the navigation."""
    return is_portal_admin(user) or (is_active_user(user) and Role.PROGRAM_ADMIN in user.role_names)


def can_start_audit(user: Any, program: Any | None) -> bool:
    if program is None:
        return is_portal_admin(user)
    return administers(user, program)


def can_change_rule_settings(user: Any, program: Any | None) -> bool:
    """Portal-wide settings: portal administrators; a program's: its administrators."""
    return can_start_audit(user, program)


def can_change_schedule(user: Any) -> bool:
    """The nightly audit's schedule: portal administrators."""
    return is_portal_admin(user)
