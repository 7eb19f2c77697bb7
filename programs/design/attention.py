"""The program administrator's home summary."""

from __future__ import annotations

from typing import Any

from django.db.models import OuterRef

from accounts.roles import Role

from ..models import Milestone, Program, Student, TrainingPlan
from ..people.permissions import holds_any
from ..scopes import SubqueryCount, administered_program_ids

Status = TrainingPlan.Status


# ---- Home summaries ------------------------------------------------------------------------


def program_admin_summary(user: Any) -> dict[str, Any] | None:
    """The programs `user` administers, with their active students and what waits on them."""
    if not holds_any(user, Role.PROGRAM_ADMIN):
        return None
    students = Student.objects.filter(program=OuterRef("pk"), status=Student.Status.ACTIVE)
    programs = list(
        Program.objects.filter(pk__in=administered_program_ids(user))
        .annotate(
            active_students=SubqueryCount(students),
            plans_awaiting=SubqueryCount(
                TrainingPlan.objects.filter(
                    student__program=OuterRef("pk"), status=Status.TUTOR_APPROVED
                )
            ),
            overdue=SubqueryCount(
                Milestone.objects.overdue().filter(
                    student__program=OuterRef("pk"), student__status=Student.Status.ACTIVE
                )
            ),
        )
        .order_by("code")
    )
    return {"programs": programs} if programs else None
