"""Who may request, see and download which reports. Deny by default.

A report is requested and read only by those who may see its subject:

- a program's annual report: the program's administrators (and portal administrators);
- a partner's scorecard: portal administrators, the administrators of the programs in which
  the organisation is a partner, and the organisation's coordinators;
- a student's training record: the student, their current tutors, their program's
  administrators and portal administrators.

`report_filter(user)` is the read boundary of `Report.objects.visible_to(user)`; the
`*_ids_open_to(user)` subqueries say which subjects `user` may ask reports about.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from accounts.permissions import is_portal_admin, visible_filter
from accounts.roles import TRAINING_ROLES, Role
from programs.models import Organization, Program, ProgramPartner, Student
from programs.scopes import (
    administered_program_ids,
    coordinated_organization_ids,
    student_ids_in_care_of,
)
from training_portal.core.permissions import is_active_user

_REPORT_ROLES = TRAINING_ROLES


def program_ids_open_to(user: Any) -> QuerySet[Any]:
    """Programs whose annual reports and dashboard `user` may see."""
    if not is_active_user(user):
        return Program.objects.none().values("pk")
    if is_portal_admin(user):
        return Program.objects.values("pk")
    return Program.objects.filter(pk__in=administered_program_ids(user)).values("pk")


def organization_ids_open_to(user: Any) -> QuerySet[Any]:
    """Organisations whose scorecards `user` may see."""
    if not is_active_user(user):
        return Organization.objects.none().values("pk")
    if is_portal_admin(user):
        return Organization.objects.values("pk")
    partnered = ProgramPartner.objects.filter(program__in=administered_program_ids(user)).values(
        "organization_id"
    )
    return Organization.objects.filter(
        Q(pk__in=partnered) | Q(pk__in=coordinated_organization_ids(user))
    ).values("pk")


def student_ids_open_to(user: Any) -> QuerySet[Any]:
    """Students whose training records `user` may see (the circle of care)."""
    if not is_active_user(user):
        return Student.objects.none().values("pk")
    return student_ids_in_care_of(user)


@visible_filter
def report_filter(user: Any) -> Q:
    return (
        Q(kind="program_annual", program__in=program_ids_open_to(user))
        | Q(kind="partner_scorecard", organization__in=organization_ids_open_to(user))
        | Q(kind="student_record", student__in=student_ids_open_to(user))
    )


def sees_reports(user: Any) -> bool:
    """Who finds Reports in the menu and may ask for a report at all (no query). The list
    and the reports' pages are open to everyone signed in and hold what they may see (none
    for an account without a role: an empty list, 404 for a report)."""
    return is_active_user(user) and (
        is_portal_admin(user) or any(role in user.role_names for role in _REPORT_ROLES)
    )


def can_see_program_reports(user: Any, program: Any) -> bool:
    """The program's annual reports and its dashboard."""
    if not is_active_user(user):
        return False
    if is_portal_admin(user):
        return True
    return user.has_role(Role.PROGRAM_ADMIN, program)


def can_see_scorecard(user: Any, organization: Any) -> bool:
    if not is_active_user(user):
        return False
    if is_portal_admin(user):
        return True
    return Organization.objects.filter(
        pk=organization.pk, pk__in=organization_ids_open_to(user)
    ).exists()


def can_see_student_record(user: Any, student: Any) -> bool:
    if not is_active_user(user):
        return False
    if is_portal_admin(user) or student.user_id == user.pk:
        return True
    return Student.objects.filter(pk=student.pk, pk__in=student_ids_open_to(user)).exists()


def can_request_report(
    user: Any, *, kind: str, program: Any = None, organization: Any = None, student: Any = None
) -> bool:
    """Requesting a report takes the same right as reading it."""
    if kind == "program_annual":
        return program is not None and can_see_program_reports(user, program)
    if kind == "partner_scorecard":
        return organization is not None and can_see_scorecard(user, organization)
    if kind == "student_record":
        return student is not None and can_see_student_record(user, student)
    return False
