"""Who sees which findings, and who may act on them. Deny by default.

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

from accounts.permissions import is_portal_admin, visible_filter
from accounts.roles import TRAINING_ROLES, Role
from programs.scopes import (
    administered_program_ids,
    administers,
    coordinated_organization_ids,
    coordinates,
    in_ids,
    tutored_student_ids,
)
from training_portal.core.permissions import is_active_user

#: The roles that may be concerned by findings (inspectors and counsellors are not).
FINDING_ROLES = TRAINING_ROLES


def fund_rule_codes() -> list[str]:
    from ..rules import all_rules

    return [rule.code for rule in all_rules() if rule.about_funds]


@visible_filter
def finding_filter(user: Any) -> Q:
    """Each branch is a test of one column of the finding against a literal list or an id
    subquery run once (`in_ids`), never a join: the planner then answers the OR from the
    indexes of those columns instead of reading every finding."""
    from programs.models import Student, TutorProfile

    from ..inspections.permissions import conducted_inspection_ids, revealed_filter
    from ..models import Inspection

    coordinated = coordinated_organization_ids(user)
    not_funds = ~Q(rule__in=fund_rule_codes())
    # An inspection's findings reach the inspected side only once the inspection may be
    # known to them (an unannounced one has no findings before it starts anyway).
    revealed = Inspection.objects.filter(revealed_filter()).values("pk")
    known = Q(inspection__isnull=True) | in_ids("inspection_id", revealed)
    scoped = (
        Q(program__in=administered_program_ids(user))
        | Q(organization__in=coordinated)
        | Q(tutor=user)
        | (in_ids("student_id", tutored_student_ids(user)) & not_funds)
        | (in_ids("student_id", Student.objects.filter(user=user).values("pk")) & not_funds)
    )
    if coordinated:
        tutors = TutorProfile.objects.filter(organization__in=coordinated).values("user_id")
        scoped |= in_ids("tutor_id", tutors)
    return in_ids("inspection_id", conducted_inspection_ids(user)) | known & scoped


# ---- Action predicates ---------------------------------------------------------------------


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


def sees_findings(user: Any) -> bool:
    """Whether the findings list is worth offering (it answers anybody signed in)."""
    return is_portal_admin(user) or (is_active_user(user) and bool(FINDING_ROLES & user.role_names))


def sees_serious_findings(user: Any) -> bool:
    """Program administrators, told about the critical and major findings of their programs
    (from the cached roles: no query)."""
    return is_active_user(user) and Role.PROGRAM_ADMIN in user.role_names
