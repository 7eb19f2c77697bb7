"""Partner subjects and the making of a program: organisations and their status history,
programs, partners with their responsibilities, and the four elements (objectives, stages,
milestone templates, curriculum).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, TypeVar

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import models, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from accounts.models import RoleMembership, User
from accounts.permissions import is_portal_admin
from accounts.roles import Role
from training_portal.core.history import history_context
from training_portal.core.validation import PDF, upload_error, validated_save

from ...design import workflow
from ...design.permissions import can_create_program, can_manage_program
from ...models import (
    Course,
    MilestoneTemplate,
    Organization,
    OrganizationStatusChange,
    PartnerResponsibility,
    Program,
    ProgramCourse,
    ProgramPartner,
    Stage,
    TrainingObjective,
)
from ...models.programs import Responsibility
from ..permissions import can_change_organization_status, can_create_organization

__all__ = [
    "add_course_to_curriculum",
    "add_milestone_template",
    "add_objective",
    "add_partner",
    "add_stage",
    "change_organization_status",
    "create_course_in_curriculum",
    "create_organization",
    "create_program",
    "save_element",
    "update_partner_responsibilities",
]


# ---- Organisations -------------------------------------------------------------------------


@transaction.atomic
def create_organization(*, user: User, **fields: Any) -> Organization:
    """Register a partner subject; it starts active, and that start is its first history row."""
    if not can_create_organization(user):
        raise PermissionDenied
    if "status" in fields:
        raise ValidationError(
            {"status": _("A new organisation starts active; change its status afterwards.")}
        )
    reason = _("Registered in the portal.")
    with history_context(reason=reason):
        organization = validated_save(Organization(**fields))
    OrganizationStatusChange.objects.create(
        organization=organization,
        from_status="",
        to_status=organization.status,
        reason=reason,
        changed_by=user,
    )
    return organization


@transaction.atomic
def change_organization_status(
    *, user: User, organization: Organization, to_status: str, reason: str
) -> OrganizationStatusChange:
    """Put an organisation on probation, suspend it, let it exit or restore it, saying why."""
    if not can_change_organization_status(user, organization):
        raise PermissionDenied
    organization.refresh_from_db(from_queryset=Organization.objects.select_for_update())
    reason = (reason or "").strip()
    errors: dict[str, str] = {}
    if to_status not in Organization.Status.values:
        errors["to_status"] = _("“%(value)s” is not a status of an organisation.") % {
            "value": to_status
        }
    elif to_status == organization.status:
        errors["to_status"] = _("The organisation's status is already “%(status)s”.") % {
            "status": Organization.Status(to_status).label
        }
    if not reason:
        errors["reason"] = _("Say why the status changes.")
    if errors:
        raise ValidationError(errors)
    change = OrganizationStatusChange.objects.create(
        organization=organization,
        from_status=organization.status,
        to_status=to_status,
        reason=reason,
        changed_by=user,
    )
    organization.status = to_status
    with history_context(reason=reason, status_change=change.pk):
        organization.save(update_fields=["status"])
    return change


# ---- Programs and partners -----------------------------------------------------------------


@transaction.atomic
def create_program(*, user: User, **fields: Any) -> Program:
    """Create a program led by a university; its creator becomes one of its administrators."""
    if not can_create_program(user):
        raise PermissionDenied
    program = Program(**fields)
    errors: dict[str, list[str]] = {}
    not_a_university = Organization.objects.filter(pk=program.lead_university_id).exclude(
        kind=Organization.Kind.UNIVERSITY
    )
    if program.lead_university_id is not None and not_a_university.exists():
        errors["lead_university"] = [_("The lead organisation must be a university.")]
    validated_save(
        program, errors=errors, constraint_fields={"programs_program_period_order": "end_date"}
    )
    if not is_portal_admin(user):
        RoleMembership.objects.create(
            user=user,
            role=Role.PROGRAM_ADMIN,
            scope_type=ContentType.objects.get_for_model(Program),
            scope_id=program.pk,
            granted_by=user,
        )
        # The creator's roles were read before the grant: let them administer right away.
        user.__dict__.pop("current_roles", None)
    return program


@transaction.atomic
def add_partner(
    *,
    user: User,
    program: Program,
    organization: Organization,
    agreement_start: dt.date,
    agreement_end: dt.date | None = None,
    places_offered: int = 0,
    responsibilities: Iterable[str] = (),
    agreement_file: File[Any] | None = None,
) -> ProgramPartner:
    """Make an organisation a partner of the program, with its responsibilities."""
    _lock_for_management(user, program)
    chosen, errors = _responsibilities(responsibilities)
    if agreement_file is not None:
        errors.update(_agreement_file_error(agreement_file))
    partner = ProgramPartner(
        program=program,
        organization=organization,
        agreement_start=agreement_start,
        agreement_end=agreement_end,
        places_offered=places_offered,
    )
    if agreement_file is not None and not errors.get("agreement_file"):
        partner.agreement_file = agreement_file
    validated_save(
        partner,
        errors=errors,
        constraint_fields={
            "programs_partner_unique": "organization",
            "programs_partner_agreement_order": "agreement_end",
        },
    )
    PartnerResponsibility.objects.bulk_create(
        PartnerResponsibility(partner=partner, responsibility=value) for value in chosen
    )
    return partner


@transaction.atomic
def update_partner_responsibilities(
    *, user: User, partner: ProgramPartner, responsibilities: Iterable[str]
) -> list[str]:
    """Replace the partner's responsibilities; returns them, sorted."""
    if not can_manage_program(user, partner.program):
        raise PermissionDenied
    chosen, errors = _responsibilities(responsibilities)
    if errors:
        raise ValidationError(errors)
    # The partner's row serialises two editors of the same set.
    ProgramPartner.objects.select_for_update().filter(pk=partner.pk).get()
    held = set(partner.responsibilities.values_list("responsibility", flat=True))
    partner.responsibilities.exclude(responsibility__in=chosen).delete()
    PartnerResponsibility.objects.bulk_create(
        PartnerResponsibility(partner=partner, responsibility=value)
        for value in chosen
        if value not in held
    )
    return sorted(chosen)


def _agreement_file_error(upload: File[Any]) -> dict[str, list[str]]:
    message = upload_error(
        upload, signatures=PDF, wrong_type=_("Upload the signed agreement as a PDF file.")
    )
    return {"agreement_file": [message]} if message else {}


def _responsibilities(values: Iterable[str]) -> tuple[list[str], dict[str, list[str]]]:
    """The distinct values asked for, and an error for any outside the catalogue."""
    chosen = list(dict.fromkeys(str(value) for value in values))
    unknown = [value for value in chosen if value not in Responsibility.values]
    if not unknown:
        return chosen, {}
    return chosen, {
        "responsibilities": [
            _("“%(value)s” is not in the catalogue of responsibilities.") % {"value": value}
            for value in unknown
        ]
    }


# ---- The four elements ---------------------------------------------------------------------


#: Each element's constraints, and the form field that shows a violation of each.
ELEMENT_CONSTRAINT_FIELDS: dict[type[models.Model], dict[str, str]] = {
    TrainingObjective: {
        "programs_objective_order_unique": "order",
        "programs_objective_title_unique": "title",
    },
    Stage: {
        "programs_stage_order_unique": "order",
        "programs_stage_title_unique": "title",
        "programs_stage_length_positive": "expected_months",
    },
    MilestoneTemplate: {"programs_milestone_template_title_unique": "title"},
    ProgramCourse: {
        "programs_curriculum_course_unique": "course",
        "programs_curriculum_semester_range": "semester",
    },
}

E = TypeVar("E", TrainingObjective, Stage, MilestoneTemplate, ProgramCourse)


def save_element(element: E, errors: dict[str, list[str]] | None = None) -> E:
    """Validate and save an element of a program, a violated constraint shown on its field."""
    return validated_save(
        element, errors=errors, constraint_fields=ELEMENT_CONSTRAINT_FIELDS[type(element)]
    )


def _add_element(
    user: User,
    program: Program,
    element: E,
    errors: dict[str, list[str]] | None = None,
    *,
    order: int | None = None,
) -> E:
    """Add `element` under the program's lock; an ordered one without a position goes last."""
    _lock_for_management(user, program)
    if isinstance(element, TrainingObjective | Stage):
        rows = type(element).objects.filter(program=program)
        element.order = order if order is not None else _next_order(rows)
    return save_element(element, errors)


@transaction.atomic
def add_objective(
    *, user: User, program: Program, title: str, description: str, order: int | None = None
) -> TrainingObjective:
    """Add a training objective, last unless a free position is given."""
    objective = TrainingObjective(program=program, title=title, description=description)
    return _add_element(user, program, objective, order=order)


@transaction.atomic
def add_stage(
    *,
    user: User,
    program: Program,
    kind: str,
    title: str,
    expected_months: int,
    order: int | None = None,
) -> Stage:
    """Add a stage of the training process, last unless a free position is given."""
    stage = Stage(program=program, kind=kind, title=title, expected_months=expected_months)
    return _add_element(user, program, stage, order=order)


@transaction.atomic
def add_milestone_template(
    *,
    user: User,
    program: Program,
    kind: str,
    title: str,
    due_offset_days: int,
    stage: Stage | None = None,
) -> MilestoneTemplate:
    """Add a milestone every student of the program reaches, due N days after enrolment."""
    errors: dict[str, list[str]] = {}
    if stage is not None and stage.program_id != program.pk:
        errors["stage"] = [_("The stage belongs to another program.")]
    elif stage is not None and stage.retired_at is not None:
        errors["stage"] = [_("This stage is retired; choose a stage in use.")]
    template = MilestoneTemplate(
        program=program, stage=stage, kind=kind, title=title, due_offset_days=due_offset_days
    )
    return _add_element(user, program, template, errors)


@transaction.atomic
def add_course_to_curriculum(
    *, user: User, program: Program, course: Course, requirement: str, semester: int
) -> ProgramCourse:
    """Attach a course to the program's curriculum, as required or elective, in a semester."""
    entry = ProgramCourse(
        program=program, course=course, requirement=requirement, semester=semester
    )
    return _add_element(user, program, entry)


@transaction.atomic
def create_course_in_curriculum(
    *, user: User, program: Program, course: Course, requirement: str, semester: int
) -> ProgramCourse:
    """Create a new course and attach it; the course is kept only if the curriculum takes it."""
    if not can_manage_program(user, program):
        raise PermissionDenied
    validated_save(course, constraint_fields={"programs_course_credits_range": "credits"})
    return add_course_to_curriculum(
        user=user, program=program, course=course, requirement=requirement, semester=semester
    )


def _lock_for_management(user: User, program: Program) -> None:
    if not can_manage_program(user, program):
        raise PermissionDenied
    # Positions are numbered under the program's lock, so two additions never take the same.
    Program.objects.select_for_update().filter(pk=program.pk).get()
    program.refresh_from_db(fields=["status"])
    workflow.require(program, "edit_elements")


def _next_order(rows: models.QuerySet[Any]) -> int:
    return int(rows.aggregate(last=Max("order"))["last"] or 0) + 1
