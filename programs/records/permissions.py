"""Who may see who read a student's record, and the history of records."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType

from accounts.permissions import is_portal_admin
from accounts.roles import Role

from ..models import Program
from ..people.permissions import is_own_student_record


def can_see_record_views(user: Any, student: Any) -> bool:
    """Who read a student's record: the student, and portal administrators."""
    return is_own_student_record(user, student) or is_portal_admin(user)


def administers_program_id(user: Any, program_id: int | None) -> bool:
    """Whether `user` holds a current program-administrator role for that program (no query
    beyond the user's cached roles)."""
    if program_id is None:
        return False
    program_type = ContentType.objects.get_for_model(Program)
    return (str(Role.PROGRAM_ADMIN), program_type.pk, program_id) in user.current_roles
