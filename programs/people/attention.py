"""Status requests and graduate follow-ups waiting on program administrators; the tutor's home
summary."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from accounts.permissions import is_portal_admin
from accounts.roles import Role

from ..models import (
    GraduateDestination,
    Student,
    StudentStatusChange,
    TutorAssignment,
    TutorProfile,
)
from ..scopes import administered_program_ids
from ..training.permissions import acts_on_plans
from .permissions import holds_any


def pending_requests(user: Any) -> QuerySet[StudentStatusChange]:
    """Status requests awaiting a decision, in the programs `user` administers."""
    rows = StudentStatusChange.objects.filter(decision=StudentStatusChange.Decision.PENDING)
    if not is_portal_admin(user):
        rows = rows.filter(student__program__in=administered_program_ids(user))
    return rows


def follow_ups_due(user: Any) -> QuerySet[GraduateDestination]:
    """Destinations whose follow-up is due and not recorded, in the programs `user` administers."""
    rows = GraduateDestination.objects.filter(
        followed_up_at__isnull=True, follow_up_due__lte=timezone.localdate()
    )
    if not is_portal_admin(user):
        rows = rows.filter(student__program__in=administered_program_ids(user))
    return rows


def tutor_summary(user: Any) -> dict[str, Any] | None:
    """How many students `user` supervises now, as academic and as practice tutor."""
    if not holds_any(user, Role.ACADEMIC_TUTOR, Role.PRACTICE_TUTOR):
        return None
    current = TutorAssignment.objects.filter(tutor__user=user, ended_on__isnull=True)
    counts = current.aggregate(
        academic=_count(Q(role=TutorProfile.Kind.ACADEMIC)),
        practice=_count(Q(role=TutorProfile.Kind.PRACTICE)),
        active=_count(Q(student__status=Student.Status.ACTIVE)),
    )
    return {**counts, "approves_plans": acts_on_plans(user)}


def _count(condition: Q) -> Count:
    return Count("student", filter=condition, distinct=True)
