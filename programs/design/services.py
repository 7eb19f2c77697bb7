"""Managing a program and its four elements after they are made: edit, retire or delete,
reinstate, reorder, and move the program through its lifecycle (see `programs.design.workflow`).

An element is deleted when nothing refers to it, and retired (kept for history, offered for
no new use) when something does; `removal_of` says which will happen and why, for the
confirmation page and the API alike.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext_lazy

from accounts.models import User
from training_portal.core.history import history_context
from training_portal.core.validation import validated_save

from ..models import (
    BudgetLine,
    Course,
    Milestone,
    MilestoneTemplate,
    Organization,
    Placement,
    Program,
    ProgramCourse,
    ProgramPartner,
    ProgramStatusChange,
    Stage,
    TrainingObjective,
    TrainingPlan,
)
from ..partners.services.partners import (
    _agreement_file_error,
    save_element,
    update_partner_responsibilities,
)
from . import workflow
from .permissions import can_edit_course, can_manage_program, can_transition

__all__ = [
    "Removal",
    "move_element",
    "reinstate_element",
    "removal_of",
    "remove_element",
    "transition_program",
    "update_course",
    "update_curriculum_entry",
    "update_milestone_template",
    "update_objective",
    "update_partner",
    "update_program",
    "update_stage",
]

Element = TrainingObjective | Stage | MilestoneTemplate | ProgramCourse | ProgramPartner
ORDERED = (TrainingObjective, Stage)


def _managed(user: User, program: Program) -> None:
    """Refuse who may not manage the program (403) and a program whose status forbids
    changes (400); then hold the program's lock, so that two editors take turns."""
    if not can_manage_program(user, program):
        raise PermissionDenied
    Program.objects.select_for_update().filter(pk=program.pk).get()
    program.refresh_from_db(fields=["status"])
    workflow.require(program, "edit_elements")


# ---- The program -----------------------------------------------------------------------------


@transaction.atomic
def update_program(*, user: User, program: Program, **fields: Any) -> Program:
    """Change the program's own fields (code, title, dates, description …), not its status."""
    _managed(user, program)
    if "status" in fields:
        raise ValidationError({"status": _("Change the status with its own buttons.")})
    for name, value in fields.items():
        setattr(program, name, value)
    errors: dict[str, list[str]] = {}
    not_a_university = Organization.objects.filter(pk=program.lead_university_id).exclude(
        kind=Organization.Kind.UNIVERSITY
    )
    if program.lead_university_id is not None and not_a_university.exists():
        errors["lead_university"] = [_("The lead organisation must be a university.")]
    return validated_save(
        program, errors=errors, constraint_fields={"programs_program_period_order": "end_date"}
    )


@transaction.atomic
def transition_program(
    *, user: User, program: Program, name: str, reason: str = "", confirmed: bool = False
) -> Program:
    """Take one step of the lifecycle (activate, close, reopen), as the transition table says;
    a step that `needs_reason` (reopening) is refused without one, a `confirmed` step (closing)
    unless the caller says the user confirmed it after being told what it means. The reason, or
    the step's label, is kept with the change in the program's history."""
    transition = workflow.BY_NAME.get(name)
    if transition is None:
        raise ValidationError({"transition": [_("“%(value)s” is not a step.") % {"value": name}]})
    if not can_manage_program(user, program):
        raise PermissionDenied
    program.refresh_from_db(from_queryset=Program.objects.select_for_update())
    if transition.source != program.status:
        raise ValidationError(
            {
                "transition": [
                    _("A program that is “%(status)s” cannot take this step.")
                    % {"status": Program.Status(program.status).label}
                ]
            }
        )
    if not can_transition(user, program, transition):
        raise PermissionDenied
    if transition.warning is not None and not confirmed:
        raise ValidationError({"confirm": [transition.warning]})
    reason = (reason or "").strip()
    if transition.needs_reason and not reason:
        raise ValidationError({"reason": [_("Say why the program is reopened.")]})
    if transition.target == Program.Status.ACTIVE and program.status == Program.Status.DRAFT:
        _check_ready(program)
    from_status = program.status
    program.status = transition.target
    with history_context(reason=reason or str(transition.label)):
        program.save(update_fields=["status"])
    ProgramStatusChange.objects.create(
        program=program,
        from_status=from_status,
        to_status=program.status,
        reason=reason,
        changed_by=user,
    )
    return program


def _check_ready(program: Program) -> None:
    """A program starts with objectives, stages and a curriculum in place."""
    missing = []
    if not program.objectives.filter(retired_at__isnull=True).exists():
        missing.append(_("at least one training objective"))
    if not program.stages.filter(retired_at__isnull=True).exists():
        missing.append(_("at least one stage"))
    if not program.curriculum.filter(retired_at__isnull=True).exists():
        missing.append(_("at least one course in the curriculum"))
    if missing:
        raise ValidationError(
            {
                "transition": [
                    _("Before it is activated, the program needs %(missing)s.")
                    % {"missing": _(", ").join(missing)}
                ]
            }
        )


# ---- Editing the elements ----------------------------------------------------------------------


@transaction.atomic
def update_objective(
    *, user: User, objective: TrainingObjective, title: str, description: str
) -> TrainingObjective:
    _managed(user, objective.program)
    objective.title, objective.description = title.strip(), description
    return save_element(objective)


@transaction.atomic
def update_stage(*, user: User, stage: Stage, kind: str, title: str, expected_months: int) -> Stage:
    _managed(user, stage.program)
    stage.kind, stage.title, stage.expected_months = kind, title.strip(), expected_months
    return save_element(stage)


@transaction.atomic
def update_milestone_template(
    *,
    user: User,
    template: MilestoneTemplate,
    kind: str,
    title: str,
    due_offset_days: int,
    stage: Stage | None = None,
) -> MilestoneTemplate:
    """Change a milestone of the program; students' milestones made from it keep their dates."""
    _managed(user, template.program)
    errors: dict[str, list[str]] = {}
    if stage is not None and stage.program_id != template.program_id:
        errors["stage"] = [_("The stage belongs to another program.")]
    template.kind, template.title = kind, title.strip()
    template.due_offset_days, template.stage = due_offset_days, stage
    return save_element(template, errors)


@transaction.atomic
def update_curriculum_entry(
    *, user: User, entry: ProgramCourse, requirement: str, semester: int
) -> ProgramCourse:
    _managed(user, entry.program)
    entry.requirement, entry.semester = requirement, semester
    return save_element(entry)


@transaction.atomic
def update_course(*, user: User, course: Course, **fields: Any) -> Course:
    """Change a course; shared by several programs, it needs an administrator of all of them."""
    if not can_edit_course(user, course):
        raise PermissionDenied
    for program in Program.objects.filter(curriculum__course=course).distinct():
        workflow.require(program, "edit_elements")
    Course.objects.select_for_update().filter(pk=course.pk).get()
    for name, value in fields.items():
        setattr(course, name, value)
    return validated_save(course, constraint_fields={"programs_course_credits_range": "credits"})


@transaction.atomic
def update_partner(
    *,
    user: User,
    partner: ProgramPartner,
    agreement_start: dt.date,
    agreement_end: dt.date | None = None,
    places_offered: int = 0,
    responsibilities: list[str] | None = None,
    agreement_file: File[Any] | None = None,
) -> ProgramPartner:
    """Change the agreement (dates, places, a new signed file) and, if given, the
    responsibilities; all or nothing."""
    _managed(user, partner.program)
    errors: dict[str, list[str]] = {}
    if agreement_file is not None:
        errors.update(_agreement_file_error(agreement_file))
    partner.agreement_start, partner.agreement_end = agreement_start, agreement_end
    partner.places_offered = places_offered
    if agreement_file is not None and not errors:
        partner.agreement_file = agreement_file
    if responsibilities is not None:
        try:
            update_partner_responsibilities(
                user=user, partner=partner, responsibilities=responsibilities
            )
        except ValidationError as exc:
            for name, texts in exc.message_dict.items():
                errors.setdefault(name, []).extend(texts)
    return validated_save(
        partner,
        errors=errors,
        constraint_fields={"programs_partner_agreement_order": "agreement_end"},
    )


# ---- Removing, reinstating, reordering -------------------------------------------------------


@dataclass
class Removal:
    """What removing an element does: "delete" it, or "retire" it because of `reasons`."""

    action: Literal["delete", "retire"]
    reasons: list[str] = field(default_factory=list)


def removal_of(element: Element) -> Removal:
    """Delete when nothing refers to the element, else retire it; with the reasons."""
    reasons = [str(text % {"count": number}) for text, number in _references(element) if number]
    return Removal(action="retire" if reasons else "delete", reasons=reasons)


#: What may refer to each kind of element: (sentence with a count, the referring records).
_REFERENCES: dict[type[Any], list[tuple[Any, Callable[[Any], QuerySet[Any]]]]] = {
    TrainingObjective: [
        (
            ngettext_lazy(
                "%(count)d evaluation indicator refers to it.",
                "%(count)d evaluation indicators refer to it.",
                "count",
            ),
            lambda objective: objective.indicators.all(),
        )
    ],
    Stage: [
        (
            ngettext_lazy(
                "%(count)d milestone is placed in this stage.",
                "%(count)d milestones are placed in this stage.",
                "count",
            ),
            lambda stage: stage.milestone_templates.all(),
        )
    ],
    MilestoneTemplate: [
        (
            ngettext_lazy(
                "%(count)d student's milestone was made from it.",
                "%(count)d students' milestones were made from it.",
                "count",
            ),
            lambda template: Milestone.objects.filter(template=template),
        )
    ],
    ProgramCourse: [
        (
            ngettext_lazy(
                "%(count)d training plan includes this course.",
                "%(count)d training plans include this course.",
                "count",
            ),
            lambda entry: TrainingPlan.objects.filter(
                student__program_id=entry.program_id, courses=entry.course_id
            ),
        )
    ],
    ProgramPartner: [
        (
            ngettext_lazy(
                "%(count)d placement is hosted by this partner.",
                "%(count)d placements are hosted by this partner.",
                "count",
            ),
            lambda partner: Placement.objects.filter(
                student__program_id=partner.program_id, host_id=partner.organization_id
            ),
        ),
        (
            ngettext_lazy(
                "%(count)d budget line is held by this partner.",
                "%(count)d budget lines are held by this partner.",
                "count",
            ),
            lambda partner: BudgetLine.objects.filter(
                program_id=partner.program_id, holder_id=partner.organization_id
            ),
        ),
    ],
}


def _references(element: Element) -> list[tuple[Any, int]]:
    """(sentence with a count, count) of each kind of record referring to the element."""
    kinds = (refs for kind, refs in _REFERENCES.items() if isinstance(element, kind))
    return [(text, referring(element).count()) for text, referring in next(kinds)]


def is_retired(element: Element) -> bool:
    if isinstance(element, ProgramPartner):
        return not element.is_active
    return element.retired_at is not None


@transaction.atomic
def remove_element(*, user: User, element: Element) -> Removal:
    """Delete the element, or retire it if other records refer to it; returns what was done."""
    _managed(user, element.program)
    if is_retired(element):
        raise ValidationError(_("This item is already retired."))
    removal = removal_of(element)
    if removal.action == "delete":
        element.delete()
    elif isinstance(element, ProgramPartner):
        element.is_active = False
        element.save(update_fields=["is_active"])
    else:
        element.retired_at = timezone.now()
        element.save(update_fields=["retired_at"])
    return removal


@transaction.atomic
def reinstate_element(*, user: User, element: Element) -> Element:
    """Offer a retired element for new use again."""
    _managed(user, element.program)
    if not is_retired(element):
        raise ValidationError(_("This item is not retired."))
    if isinstance(element, ProgramPartner):
        element.is_active = True
        element.save(update_fields=["is_active"])
    else:
        element.retired_at = None
        element.save(update_fields=["retired_at"])
    return element


@transaction.atomic
def move_element(
    *, user: User, element: TrainingObjective | Stage, direction: str
) -> TrainingObjective | Stage:
    """Swap an objective or stage with its neighbour among those in use ("up" or "down")."""
    _managed(user, element.program)
    if direction not in ("up", "down"):
        raise ValidationError({"direction": [_("Move an item “up” or “down”.")]})
    siblings = type(element).objects.filter(program_id=element.program_id, retired_at__isnull=True)
    element.refresh_from_db(fields=["order"])
    if direction == "up":
        neighbour = siblings.filter(order__lt=element.order).order_by("-order").first()
    else:
        neighbour = siblings.filter(order__gt=element.order).order_by("order").first()
    if neighbour is None:
        raise ValidationError(
            {
                "direction": [
                    _("This item is already first.")
                    if direction == "up"
                    else _("This item is already last.")
                ]
            }
        )
    # The (program, order) pair is unique: park one row on a free position while swapping.
    free = (
        int(
            type(element)
            .objects.filter(program_id=element.program_id)
            .aggregate(last=Max("order"))["last"]
        )
        + 1
    )
    mine, theirs = element.order, neighbour.order
    element.order = free
    element.save(update_fields=["order"])
    neighbour.order = mine
    neighbour.save(update_fields=["order"])
    element.order = theirs
    element.save(update_fields=["order"])
    return element
