"""Who may create, change and close programs and their elements."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from accounts.permissions import is_portal_admin
from accounts.roles import Role
from training_portal.core.permissions import is_active_user

from ..models import Program
from ..scopes import administered_program_ids, administers

if TYPE_CHECKING:
    from .workflow import Transition


def can_create_program(user: Any) -> bool:
    return is_portal_admin(user) or (is_active_user(user) and Role.PROGRAM_ADMIN in user.role_names)


def can_manage_program(user: Any, program: Any) -> bool:
    return administers(user, program)


def can_edit_course(user: Any, course: Any) -> bool:
    """A course shared by several programs changes all their curricula: its editor is a
    portal administrator, or an administrator of every program that teaches it."""
    if is_portal_admin(user):
        return True
    if not is_active_user(user):
        return False
    from ..models import Program

    teaching = set(Program.objects.filter(curriculum__course=course).values_list("pk", flat=True))
    administered = set(administered_program_ids(user))
    return bool(teaching) and teaching <= administered


def course_ids_editable_by(user: Any, courses: QuerySet[Any]) -> set[int]:
    """Which of `courses` `user` may edit (see `can_edit_course`), in one query."""
    if is_portal_admin(user):
        return set(courses.values_list("pk", flat=True))
    if not is_active_user(user):
        return set()
    from ..models import Program

    others = Program.objects.exclude(pk__in=administered_program_ids(user))
    return set(
        courses.filter(in_programs__isnull=False)
        .exclude(in_programs__program__in=others)
        .values_list("pk", flat=True)
        .distinct()
    )


def sees_programs(user: Any) -> bool:
    """Who finds Programs in the menu; everyone signed in may open the list (it holds the
    programs they may see: none for an account without a role)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return is_portal_admin(user) or Program.objects.visible_to(user).exists()


def can_transition(user: Any, program: Program, transition: Transition) -> bool:
    if transition.source != program.status or not can_manage_program(user, program):
        return False
    return is_portal_admin(user) or not transition.portal_admin_only
