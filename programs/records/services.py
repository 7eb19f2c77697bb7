"""Who read a student's record: one row per reader, student and day, written with a single
`INSERT ... ON CONFLICT DO NOTHING` (never a read first), so a page pays one insert at most."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from accounts.permissions import is_portal_admin
from accounts.roles import Role

from ..models import Program, Student, StudentRecordView
from ..scopes import holds_for

__all__ = ["log_record_view", "record_views_of"]

#: The relation a reader's role names, most specific first (read from the reader's cached roles).
_ROLE_ORDER = (
    Role.ACADEMIC_TUTOR,
    Role.PRACTICE_TUTOR,
    Role.PARTNER_COORDINATOR,
    Role.INSPECTOR,
    Role.COUNSELLOR,
)


def log_record_view(*, reader: Any, student: Student) -> None:
    """Note that `reader` read `student`'s record today (the student's own reads are not noted)."""
    if not getattr(reader, "is_authenticated", False) or reader.pk == student.user_id:
        return
    StudentRecordView.objects.bulk_create(
        [
            StudentRecordView(
                reader_id=reader.pk,
                student_id=student.pk,
                role=_reader_role(reader, student),
                day=timezone.localdate(),
            )
        ],
        ignore_conflicts=True,
    )


def record_views_of(student: Student, limit: int = 200) -> QuerySet[StudentRecordView]:
    """The latest reads of the record, newest first, with the reader."""
    return (
        StudentRecordView.objects.filter(student=student)
        .select_related("reader")
        .order_by("-day", "-first_at", "-id")[:limit]
    )


def _reader_role(reader: Any, student: Student) -> str:
    if is_portal_admin(reader):
        return Role.PORTAL_ADMIN
    if holds_for(reader, Role.PROGRAM_ADMIN, Program, student.program_id):
        return Role.PROGRAM_ADMIN
    names = reader.role_names
    return next((role for role in _ROLE_ORDER if role in names), "")
