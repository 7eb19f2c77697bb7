"""Who may write, approve and sign off plans, milestones, progress logs and case logs."""

from __future__ import annotations

from typing import Any

from accounts.permissions import is_portal_admin
from accounts.roles import Role
from training_portal.core.permissions import is_active_user

from ..people.permissions import current_tutor_roles, holds_any, is_own_student_record
from ..scopes import administers


def can_edit_plan(user: Any, plan: Any) -> bool:
    return plan.status == plan.Status.DRAFT and is_own_student_record(user, plan.student)


def can_submit_plan(user: Any, plan: Any) -> bool:
    return can_edit_plan(user, plan)


def can_tutor_approve_plan(user: Any, plan: Any) -> bool:
    return plan.status == plan.Status.SUBMITTED and "academic" in current_tutor_roles(
        user, plan.student
    )


def can_approve_plan(user: Any, plan: Any) -> bool:
    return plan.status == plan.Status.TUTOR_APPROVED and administers(user, plan.student.program)


def can_return_plan(user: Any, plan: Any) -> bool:
    """Send a plan back to its student for changes, at the step the user decides."""
    return can_tutor_approve_plan(user, plan) or can_approve_plan(user, plan)


def can_revise_plan(user: Any, plan: Any) -> bool:
    """Start a new version from an approved plan (the student's next change)."""
    return plan.status == plan.Status.APPROVED and is_own_student_record(user, plan.student)


def can_sign_off_milestone(user: Any, milestone: Any) -> bool:
    return bool(current_tutor_roles(user, milestone.student))


def can_write_progress_log(user: Any, student: Any) -> bool:
    return bool(current_tutor_roles(user, student))


def can_acknowledge_log(user: Any, log: Any) -> bool:
    return log.shared and is_own_student_record(user, log.student)


def can_record_cases(user: Any, student: Any) -> bool:
    return is_own_student_record(user, student) or bool(current_tutor_roles(user, student))


def can_verify_case_log(user: Any, case_log: Any) -> bool:
    if case_log.placement_id and case_log.placement.practice_tutor_id:
        return bool(is_active_user(user) and case_log.placement.practice_tutor.user_id == user.pk)
    return "practice" in current_tutor_roles(user, case_log.student)


def is_student(user: Any) -> bool:
    return holds_any(user, Role.STUDENT)


# ---- Who acts on what ----------------------------------------------------------------------


def acts_on_plans(user: Any) -> bool:
    """Academic tutors approve their students' plans; program administrators give the final one."""
    return is_portal_admin(user) or holds_any(user, Role.PROGRAM_ADMIN, Role.ACADEMIC_TUTOR)


def follows_milestones(user: Any) -> bool:
    return is_portal_admin(user) or holds_any(
        user, Role.PROGRAM_ADMIN, Role.ACADEMIC_TUTOR, Role.PRACTICE_TUTOR
    )


def may_request_signoff(user: Any, student: Any) -> bool:
    """The student's care circle: the student, a current tutor, an administrator of the program."""
    return (
        is_own_student_record(user, student)
        or bool(current_tutor_roles(user, student))
        or administers(user, student.program)
    )
