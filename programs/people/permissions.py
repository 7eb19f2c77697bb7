"""Who may act on students and tutors: enrolment, tutors, the student status lifecycle."""

from __future__ import annotations

from typing import Any

from accounts.permissions import is_portal_admin
from accounts.roles import Role
from training_portal.core.permissions import is_active_user

from ..scopes import administers, tutor_organization_ids


def current_tutor_roles(user: Any, student: Any) -> set[str]:
    """The roles (academic/practice) `user` currently holds as a tutor of `student`."""
    from ..models import TutorAssignment

    if not is_active_user(user):
        return set()
    return set(
        TutorAssignment.objects.filter(
            student=student, tutor__user=user, ended_on__isnull=True
        ).values_list("role", flat=True)
    )


def is_own_student_record(user: Any, student: Any) -> bool:
    return is_active_user(user) and student.user_id == user.pk


def can_manage_students(user: Any, program: Any) -> bool:
    return administers(user, program)


def can_create_tutor(user: Any, organization: Any) -> bool:
    return is_portal_admin(user) or (
        is_active_user(user) and tutor_organization_ids(user).filter(pk=organization.pk).exists()
    )


# ---- A student's status ---------------------------------------------------------------------


def can_decide_student_status(user: Any, student: Any) -> bool:
    """Suspension, resumption, extension, withdrawal, change of tutor and graduation are
    decided (or done directly) by the program's administrators."""
    return administers(user, student.program)


def can_request_student_status(user: Any, student: Any) -> bool:
    """The student and their current tutors may ask for a change, which an administrator
    then approves or refuses."""
    return is_own_student_record(user, student) or bool(current_tutor_roles(user, student))


def can_record_destination(user: Any, student: Any) -> bool:
    return can_decide_student_status(user, student) or is_own_student_record(user, student)


# ---- Who the dashboards are for (navigation and page guards) --------------------------------


def holds_any(user: Any, *roles: Role) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and any(
        role in user.role_names for role in roles
    )


def is_tutor(user: Any) -> bool:
    return holds_any(user, Role.ACADEMIC_TUTOR, Role.PRACTICE_TUTOR)


# ---- Attention providers -------------------------------------------------------------------


def decides_status(user: Any) -> bool:
    """Program administrators (and portal administrators) decide students' status requests."""
    return is_portal_admin(user) or holds_any(user, Role.PROGRAM_ADMIN)
