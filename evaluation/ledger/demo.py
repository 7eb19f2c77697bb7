"""Demo data of the reward ledger: the awards of the program's completed projects (with two
small completed projects added, so that several small ones can be compared with a big one)
and one reversal. Idempotent: running it again adds nothing."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from accounts.models import RoleMembership, User
from accounts.roles import Role
from programs.models import Program, Project, ProjectMember, Student

from ..models import RewardEntry
from . import services

#: Small projects completed in the demo, (title, days before today it was completed).
DEMO_PROJECTS = [
    ("Contrast-reaction checklist", 150),
    ("Dose-report audit tool", 90),
]
REVERSAL_REASON = "Demo: the student left the project before it was completed."


def _admin_of(program: Program) -> User | None:
    membership = (
        RoleMembership.objects.current()
        .of_role(Role.PROGRAM_ADMIN)
        .scoped_by(Program)
        .filter(scope_id=program.pk, user__is_active=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return membership.user if membership else None


def _small_projects(program: Program) -> None:
    """Two small completed projects, led by the program's lead university, with two of its
    students each."""
    students = list(
        Student.objects.filter(program=program).select_related("user").order_by("pk")[:4]
    )
    if len(students) < 2:
        return
    today = timezone.localdate()
    for index, (title, days_ago) in enumerate(DEMO_PROJECTS):
        ended = today - dt.timedelta(days=days_ago)
        project, _created = Project.objects.get_or_create(
            program=program,
            title=title,
            defaults={
                "kind": Project.Kind.ENGINEERING,
                "size": Project.Size.SMALL,
                "status": Project.Status.COMPLETED,
                "lead_organization_id": program.lead_university_id,
                "start_date": ended - dt.timedelta(days=120),
                "end_date": ended,
                "description": f"A small completed project of {program.code}.",
            },
        )
        pair = students[index * 2 : index * 2 + 2] or students[:2]
        for rank, student in enumerate(pair):
            role = ProjectMember.Role.LEAD if rank == 0 else ProjectMember.Role.MEMBER
            ProjectMember.objects.get_or_create(
                project=project, user=student.user, defaults={"role": role}
            )


@transaction.atomic
def seed_ledger_demo(program: Program) -> int:
    """Award the program's completed projects (dated on their end date) and reverse one
    person's award once. Returns how many entries were written."""
    _small_projects(program)
    admin = _admin_of(program)
    written = 0
    completed = Project.objects.filter(program=program, status=Project.Status.COMPLETED)
    for project in completed.select_related("program").order_by("end_date", "pk"):
        written += services.award_project(
            project=project, on=project.end_date or timezone.localdate(), recorded_by=admin
        )
    if not RewardEntry.objects.filter(program=program, kind=RewardEntry.Kind.REVERSAL).exists():
        award = (
            RewardEntry.objects.filter(
                program=program, kind=RewardEntry.Kind.AWARD, user__isnull=False
            )
            .order_by("pk")
            .first()
        )
        if award is not None:
            if admin is not None:
                services.reverse_entry(user=admin, entry=award, reason=REVERSAL_REASON)
            else:
                award.reversal(reason=REVERSAL_REASON).save(force_insert=True)
            written += 1
    return written
