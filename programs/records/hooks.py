"""What records plug into the portal: who may read the history of the programs records, and
why an organisation's status changed.

Portal administrators read every tracked record's history (decided in `core.history`); a
program administrator reads the history of the records of the programs they administer; a
course's history is read by whoever may edit it. The models not registered here (organisations,
tutors …) stay with portal administrators.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import models
from django.urls import reverse

from training_portal.core.history import register_history

from ..design.permissions import can_edit_course
from ..models import (
    BudgetLine,
    CaseLog,
    Course,
    Expenditure,
    Milestone,
    MilestoneTemplate,
    Organization,
    PartnerResponsibility,
    Placement,
    Program,
    ProgramCourse,
    ProgramPartner,
    ProgressLog,
    Project,
    Stage,
    Student,
    TrainingObjective,
    TrainingPlan,
)
from .permissions import administers_program_id

#: How far apart a status change row and its history event may be to be matched.


def _of_program(program_id: Callable[[Any], int | None]) -> Callable[[Any, Any], bool]:
    def allowed(user: Any, obj: Any) -> bool:
        return administers_program_id(user, program_id(obj))

    return allowed


def _student_page(obj: Any) -> str:
    return reverse("programs:student", args=[obj.student_id])


def _program_page(obj: Any) -> str:
    return reverse("programs:program-detail", args=[obj.program_id])


def _partner_page(obj: Any) -> str:
    return reverse("programs:program-detail", args=[obj.partner.program_id])


def register() -> None:
    own: list[tuple[type[models.Model], Callable[[Any], int | None], Callable[[Any], str]]] = [
        (
            Program,
            lambda obj: obj.pk,
            lambda obj: reverse("programs:program-detail", args=[obj.pk]),
        ),
        (
            Student,
            lambda obj: obj.program_id,
            lambda obj: reverse("programs:student", args=[obj.pk]),
        ),
        (TrainingPlan, lambda obj: obj.student.program_id, _student_page),
        (Milestone, lambda obj: obj.student.program_id, _student_page),
        (
            Placement,
            lambda obj: obj.student.program_id,
            lambda obj: reverse("programs:placement", args=[obj.pk]),
        ),
        (ProgressLog, lambda obj: obj.student.program_id, _student_page),
        (CaseLog, lambda obj: obj.student.program_id, _student_page),
        (Project, lambda obj: obj.program_id, _program_page),
        (ProgramPartner, lambda obj: obj.program_id, _program_page),
        (TrainingObjective, lambda obj: obj.program_id, _program_page),
        (Stage, lambda obj: obj.program_id, _program_page),
        (MilestoneTemplate, lambda obj: obj.program_id, _program_page),
        (ProgramCourse, lambda obj: obj.program_id, _program_page),
        (PartnerResponsibility, lambda obj: obj.partner.program_id, _partner_page),
        (BudgetLine, lambda obj: obj.program_id, _program_page),
        (Expenditure, lambda obj: obj.line.program_id, lambda obj: ""),
    ]
    for model, program_id, url in own:
        register_history(model, allowed=_of_program(program_id), url=url)
    # Organisations: portal administrators only; a status change carries its reason in the
    # history context (see `change_organization_status`).
    register_history(
        Organization, url=lambda obj: reverse("programs:organization-detail", args=[obj.pk])
    )
    # A course is shared: its history is read by whoever may edit it.
    register_history(Course, allowed=can_edit_course)
