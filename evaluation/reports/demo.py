"""Demo data of the reports: one report of each kind, made at once (idempotent)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from programs.models import Program, ProgramPartner, Student

from ..models import Report
from . import services


def seed_reports_demo(user: Any, program: Program | None = None) -> list[Report]:
    """For the demo program (or `program`): its annual report of this year, the scorecard of
    its first partner and the training record of its first student, each made synchronously
    by `user` unless one of that kind already exists for that subject."""
    from programs.demo import PROGRAM_CODE

    program = program or Program.objects.filter(code=PROGRAM_CODE).first()
    if program is None:
        return []
    year = timezone.localdate().year
    partner = (
        ProgramPartner.objects.filter(program=program)
        .select_related("organization")
        .order_by("pk")
        .first()
    )
    student = Student.objects.filter(program=program).select_related("user").order_by("pk").first()
    wanted: list[dict[str, Any]] = [{"kind": "program_annual", "program": program, "year": year}]
    if partner is not None:
        wanted.append({"kind": "partner_scorecard", "organization": partner.organization})
    if student is not None:
        wanted.append({"kind": "student_record", "student": student})
    made = []
    for fields in wanted:
        existing = Report.objects.filter(**fields).exclude(xlsx="").order_by("-pk").first()
        made.append(existing or services.generate_now(user=user, **fields))
    return made
