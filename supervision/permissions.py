"""Who sees which findings and runs, and who may act on them. Deny by default.

- program administrators: every finding of their programs;
- partner coordinators: findings about their organisation and its tutors;
- tutors: findings about their current students (not about funds) and about themselves;
- students: findings about themselves, never about funds;
- inspectors: the findings of the inspections they are on (while an assignment covers them);
- portal administrators: everything; anybody else: nothing.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from accounts.permissions import is_portal_admin
from programs.scopes import (
    administered_program_ids,
    administers,
    coordinated_organization_ids,
    coordinates,
    tutored_student_ids,
)
from training_portal.core.permissions import NOTHING, is_active_user


def fund_rule_codes() -> list[str]:
    from .rules import all_rules

    return [rule.code for rule in all_rules() if rule.about_funds]


def finding_filter(user: Any) -> Q:
    if not is_active_user(user):
        return NOTHING
    if is_portal_admin(user):
        return Q()
    from .inspections.permissions import conducted_inspection_ids, revealed_filter

    coordinated = coordinated_organization_ids(user)
    not_funds = ~Q(rule__in=fund_rule_codes())
    # An inspection's findings reach the inspected side only once the inspection may be
    # known to them (an unannounced one has no findings before it starts anyway).
    known = Q(inspection__isnull=True) | revealed_filter("inspection__")
    return Q(inspection__in=conducted_inspection_ids(user)) | known & (
        Q(program__in=administered_program_ids(user))
        | Q(organization__in=coordinated)
        | Q(tutor__tutor_profile__organization__in=coordinated)
        | Q(tutor=user)
        | (Q(student__in=tutored_student_ids(user)) & not_funds)
        | (Q(student__user=user) & not_funds)
    )


def audit_run_filter(user: Any) -> Q:
    """Runs of the programs one administers; whole-portal runs for portal administrators."""
    if not is_active_user(user):
        return NOTHING
    if is_portal_admin(user):
        return Q()
    return Q(program__in=administered_program_ids(user))


# ---- Action predicates ---------------------------------------------------------------------


def sees_audits(user: Any) -> bool:
    """The audit dashboard and rule settings: portal and program administrators."""
    return is_portal_admin(user) or (
        is_active_user(user) and administered_program_ids(user).exists()
    )


def can_start_audit(user: Any, program: Any | None) -> bool:
    if program is None:
        return is_portal_admin(user)
    return administers(user, program)


def can_change_rule_settings(user: Any, program: Any | None) -> bool:
    """Portal-wide settings: portal administrators; a program's: its administrators."""
    return can_start_audit(user, program)


def manages_finding(user: Any, finding: Any) -> bool:
    """Program administrators of its program, and coordinators of the organisation it is about."""
    return administers(user, finding.program) or (
        finding.organization_id is not None and coordinates(user, finding.organization)
    )


def can_work_on_finding(user: Any, finding: Any) -> bool:
    """Acknowledge, start remediation, resolve, write corrective action: managers and the
    assignee."""
    return manages_finding(user, finding) or (
        is_active_user(user) and finding.assignee_id == user.pk
    )


def can_assign_finding(user: Any, finding: Any) -> bool:
    return manages_finding(user, finding)


def can_dismiss_finding(user: Any, finding: Any) -> bool:
    """Dismissal (with a justification) is for program and portal administrators."""
    return administers(user, finding.program)
