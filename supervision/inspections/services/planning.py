"""Inspections, planned: their targets and conflicts of interest, inspectors' assignments,
checklist templates, scheduling, the start of the visit and cancellation."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from programs.models import Organization, Placement, Program, ProgramPartner, Student

from ...models import (
    ChecklistItem,
    ChecklistTemplate,
    ChecklistTemplateItem,
    ConflictOfInterest,
    Draw,
    Inspection,
    InspectionAssignment,
    InspectionTeamMember,
    InspectionType,
    InspectorProfile,
    SampledStudent,
)
from ...models.inspections import DEFAULT_REPLY_DAYS
from .. import permissions
from ..permissions import inspected_side_users
from ..workflow import (
    Errors,
    allows,
    check,
    lock,
    notify_inspected_side,
    notify_users,
    require,
    required,
    target,
    team_users,
)
from .reporting import MAX_REPLY_DAYS

#: How long after an inspection ends an assignment created for its team lasts (the report,
#: the reply window and the publication come after the visit).
ASSIGNMENT_GRACE_DAYS = 120


# ---- Targets and conflicts -------------------------------------------------------------------


def target_organization_ids(
    *, program: Program | None = None, organization: Organization | None = None
) -> list[int]:
    """The organisations an inspection of the target concerns: the organisation itself, or the
    program's lead university and active partners (sorted)."""
    if organization is not None:
        return [organization.pk]
    assert program is not None
    partners = ProgramPartner.objects.filter(program=program, is_active=True)
    return sorted({program.lead_university_id, *partners.values_list("organization_id", flat=True)})


def target_students(
    *, program: Program | None = None, organization: Organization | None = None
) -> QuerySet[Student]:
    """The active students a sample is drawn from: the program's, or those placed at the
    organisation (placements not cancelled)."""
    students = Student.objects.active()
    if organization is not None:
        hosted = Placement.objects.filter(host=organization).exclude(
            status=Placement.Status.CANCELLED
        )
        return students.filter(pk__in=hosted.values("student_id")).order_by("pk")
    return students.filter(program=program).order_by("pk")


def conflicts_of(
    inspector_ids: Iterable[int], organization_ids: Iterable[int]
) -> list[dict[str, Any]]:
    """The conflicts of interest between these inspectors and organisations, declared or by
    affiliation, in a canonical order: [{"inspector", "organization", "reason"}], where the
    reason is "declared:<kind>" or "affiliation"."""
    inspector_ids, organization_ids = list(inspector_ids), list(organization_ids)
    declared = ConflictOfInterest.objects.filter(
        inspector_id__in=inspector_ids, organization_id__in=organization_ids
    ).values_list("inspector_id", "organization_id", "kind")
    affiliated = InspectorProfile.objects.filter(
        user_id__in=inspector_ids, affiliation_id__in=organization_ids
    ).values_list("user_id", "affiliation_id")
    rows = {(user, org, f"declared:{kind}") for user, org, kind in declared}
    rows |= {(user, org, "affiliation") for user, org in affiliated}
    return [
        {"inspector": user, "organization": org, "reason": reason}
        for user, org, reason in sorted(rows)
    ]


def _target(
    program: Program | None, organization: Organization | None, errors: Errors
) -> tuple[Program | None, Organization | None]:
    if (program is None) == (organization is None):
        errors[NON_FIELD_ERRORS] = [_("Choose either one program or one organisation.")]
    return program, organization


# ---- Assignments, conflicts, templates -------------------------------------------------------


def _profile_errors(inspector: User, field: str, errors: Errors) -> None:
    if not (inspector.is_active and InspectorProfile.objects.filter(user=inspector).exists()):
        errors[field] = [_("%(name)s is not an inspector.") % {"name": inspector}]


@transaction.atomic
def create_assignment(
    *,
    by: User,
    inspector: User,
    program: Program | None = None,
    organization: Organization | None = None,
    valid_from: dt.date,
    valid_until: dt.date,
) -> InspectionAssignment:
    """Let an inspector see the inspections they are on of a program or organisation, from one
    day to another. Never of an organisation they have a conflict of interest with."""
    require(permissions.can_manage_inspections(by))
    errors: Errors = {}
    _profile_errors(inspector, "inspector", errors)
    _target(program, organization, errors)
    if valid_from and valid_until and valid_until < valid_from:
        errors["valid_until"] = [_("An assignment cannot end before it starts.")]
    if not errors:
        orgs = target_organization_ids(program=program, organization=organization)
        if conflicts_of([inspector.pk], orgs):
            errors["inspector"] = [
                _("%(name)s has a conflict of interest with this target.") % {"name": inspector}
            ]
    check(errors)
    return InspectionAssignment.objects.create(
        inspector=inspector,
        program=program,
        organization=organization,
        valid_from=valid_from,
        valid_until=valid_until,
        created_by=by,
    )


@transaction.atomic
def revoke_assignment(*, by: User, assignment: InspectionAssignment) -> InspectionAssignment:
    """End an assignment now: the inspector loses access on their next request."""
    require(permissions.can_manage_inspections(by))
    assignment = InspectionAssignment.objects.select_for_update().get(pk=assignment.pk)
    if assignment.revoked_at is not None:
        raise ValidationError({NON_FIELD_ERRORS: [_("This assignment is already revoked.")]})
    assignment.revoked_at = timezone.now()
    assignment.revoked_by = by
    assignment.save(update_fields=["revoked_at", "revoked_by"])
    return assignment


@transaction.atomic
def declare_conflict(
    *,
    by: User,
    inspector: User,
    organization: Organization,
    kind: str,
    explanation: str = "",
) -> ConflictOfInterest:
    """Record that the inspector belongs to or is linked with an organisation: they are never
    drawn for it nor assigned to it from now on."""
    require(permissions.can_declare_conflict(by, inspector))
    errors: Errors = {}
    _profile_errors(inspector, "inspector", errors)
    if kind not in ConflictOfInterest.Kind.values:
        errors["kind"] = [_("Choose a kind of conflict from the list.")]
    if ConflictOfInterest.objects.filter(inspector=inspector, organization=organization).exists():
        errors["organization"] = [_("This conflict of interest has already been declared.")]
    check(errors)
    return ConflictOfInterest.objects.create(
        inspector=inspector,
        organization=organization,
        kind=kind,
        explanation=(explanation or "").strip(),
    )


def _template_items(items: Sequence[dict[str, Any]], errors: Errors) -> list[dict[str, str]]:
    cleaned = []
    for number, item in enumerate(items, start=1):
        section = str(item.get("section") or "").strip()
        text = str(item.get("text") or "").strip()
        if not section or not text or len(section) > 120 or len(text) > 500:
            errors["items"] = [
                _(
                    "Question %(number)d needs a section (at most 120 characters) and a "
                    "question (at most 500 characters)."
                )
                % {"number": number}
            ]
            break
        cleaned.append(
            {"section": section, "text": text, "guidance": str(item.get("guidance") or "")}
        )
    if not items:
        errors["items"] = [_("A checklist needs at least one question.")]
    return cleaned


@transaction.atomic
def save_checklist_template(
    *, by: User, inspection_type: str, title: str, items: Sequence[dict[str, Any]]
) -> ChecklistTemplate:
    """Replace the checklist template of an inspection type. Inspections already scheduled
    keep the checklist they copied."""
    require(permissions.can_manage_inspections(by))
    errors: Errors = {}
    if inspection_type not in InspectionType.values:
        errors["inspection_type"] = [_("Choose an inspection type from the list.")]
    title = required(title, "title", errors, limit=200)
    cleaned = _template_items(items, errors)
    check(errors)
    template, _created = ChecklistTemplate.objects.update_or_create(
        inspection_type=inspection_type, defaults={"title": title}
    )
    template.items.all().delete()
    ChecklistTemplateItem.objects.bulk_create(
        ChecklistTemplateItem(template=template, position=position, **item)
        for position, item in enumerate(cleaned)
    )
    return template


# ---- Scheduling ------------------------------------------------------------------------------


def _team_errors(
    inspectors: Sequence[User],
    author: User,
    orgs: list[int],
    inspected: set[int],
    errors: Errors,
) -> None:
    ids = [user.pk for user in inspectors]
    if not ids:
        errors["inspectors"] = [_("An inspection needs at least one inspector.")]
        return
    if len(set(ids)) != len(ids):
        errors["inspectors"] = [_("An inspector is named twice.")]
        return
    pool = set(
        InspectorProfile.objects.filter(user_id__in=ids, user__is_active=True).values_list(
            "user_id", flat=True
        )
    )
    problems = [
        _("%(name)s is not an inspector.") % {"name": u} for u in inspectors if u.pk not in pool
    ]
    conflicted = {row["inspector"] for row in conflicts_of(ids, orgs)} | (set(ids) & inspected)
    problems += [
        _("%(name)s has a conflict of interest with this target.") % {"name": u}
        for u in inspectors
        if u.pk in conflicted
    ]
    if problems:
        errors["inspectors"] = problems
    if author.pk not in ids:
        errors["author"] = [_("The author must be on the team.")]


def inspection_date_errors(starts_at: dt.datetime, ends_on: dt.date, errors: Errors) -> None:
    """The date rules of an inspection (the scheduling form checks them too)."""
    if not isinstance(starts_at, dt.datetime) or timezone.is_naive(starts_at):
        errors["starts_at"] = [_("Enter a valid date and time.")]
    elif ends_on < timezone.localtime(starts_at).date():
        errors["ends_on"] = [_("An inspection cannot end before it starts.")]
    if ends_on < timezone.localdate():
        errors["ends_on"] = [_("The end date cannot be in the past.")]


def _sample_ids(
    candidates: list[int], sample_size: int, given: list[int] | None, errors: Errors
) -> list[int]:
    if given is not None:
        if len(set(given)) != len(given) or not set(given) <= set(candidates):
            errors["sample_student_ids"] = [
                _("Every sampled student must be an active student of the target, once.")
            ]
        return list(given)
    if sample_size < 0:
        errors["sample_size"] = [_("The sample size cannot be negative.")]
        return []
    # Not reproducible on purpose: only draws are (draw.py); this is a plain random sample.
    return secrets.SystemRandom().sample(candidates, min(sample_size, len(candidates)))


def _ensure_assignments(
    by: User, inspectors: Sequence[User], program: Any, organization: Any, until: dt.date
) -> None:
    today = timezone.localdate()
    target = {"program": program} if program is not None else {"organization": organization}
    covered = set(
        InspectionAssignment.objects.current(today)
        .filter(inspector__in=inspectors, valid_until__gte=until, **target)
        .values_list("inspector_id", flat=True)
    )
    InspectionAssignment.objects.bulk_create(
        InspectionAssignment(
            inspector=user,
            valid_from=today,
            valid_until=until + dt.timedelta(days=ASSIGNMENT_GRACE_DAYS),
            created_by=by,
            **target,
        )
        for user in inspectors
        if user.pk not in covered
    )


def _copy_checklist(inspection: Inspection) -> None:
    items = ChecklistTemplateItem.objects.filter(
        template__inspection_type=inspection.inspection_type
    ).order_by("position", "id")
    ChecklistItem.objects.bulk_create(
        ChecklistItem(
            inspection=inspection,
            section=item.section,
            text=item.text,
            guidance=item.guidance,
            position=position,
        )
        for position, item in enumerate(items)
    )


@transaction.atomic
def schedule_inspection(
    *,
    by: User,
    title: str,
    inspection_type: str,
    program: Program | None = None,
    organization: Organization | None = None,
    unannounced: bool,
    starts_at: dt.datetime,
    ends_on: dt.date,
    inspectors: Sequence[User],
    author: User,
    scope_note: str = "",
    reply_days: int = DEFAULT_REPLY_DAYS,
    sample_size: int = 0,
    draw: Draw | None = None,
    sample_student_ids: list[int] | None = None,
) -> Inspection:
    """Plan an inspection: its team (no conflicted inspector, nobody of the inspected side),
    assignments for those who lack one, the checklist copied from the type's template, and a
    random sample of students. The team is notified; the inspected side too, unless it is
    unannounced."""
    require(permissions.can_manage_inspections(by))
    errors: Errors = {}
    title = required(title, "title", errors, limit=200)
    if inspection_type not in InspectionType.values:
        errors["inspection_type"] = [_("Choose an inspection type from the list.")]
    _target(program, organization, errors)
    inspection_date_errors(starts_at, ends_on, errors)
    if not 1 <= reply_days <= MAX_REPLY_DAYS:
        errors["reply_days"] = [
            _("The reply window lasts from 1 to %(max)d days.") % {"max": MAX_REPLY_DAYS}
        ]
    sample: list[int] = []
    if NON_FIELD_ERRORS not in errors:
        orgs = target_organization_ids(program=program, organization=organization)
        probe = Inspection(program=program, organization=organization)
        inspected = set(inspected_side_users(probe).values_list("pk", flat=True))
        _team_errors(inspectors, author, orgs, inspected, errors)
        candidates = list(
            target_students(program=program, organization=organization).values_list("pk", flat=True)
        )
        sample = _sample_ids(candidates, sample_size, sample_student_ids, errors)
    check(errors)
    inspection = Inspection.objects.create(
        title=title,
        inspection_type=inspection_type,
        program=program,
        organization=organization,
        unannounced=unannounced,
        starts_at=starts_at,
        ends_on=ends_on,
        scope_note=(scope_note or "").strip(),
        reply_days=reply_days,
        draw=draw,
        created_by=by,
    )
    InspectionTeamMember.objects.bulk_create(
        InspectionTeamMember(inspection=inspection, inspector=user, is_author=user.pk == author.pk)
        for user in inspectors
    )
    SampledStudent.objects.bulk_create(
        SampledStudent(inspection=inspection, student_id=pk, position=position)
        for position, pk in enumerate(sample)
    )
    _copy_checklist(inspection)
    _ensure_assignments(by, inspectors, program, organization, ends_on)
    notify_users(inspectors, "inspection_scheduled", inspection)
    notify_inspected_side(inspection, "inspection_announced")
    return inspection


@transaction.atomic
def start_inspection(*, by: User, inspection: Inspection) -> Inspection:
    """A team member starts the visit, once its start time has come; the inspected side is
    told (for an unannounced inspection, this is when they learn of it)."""
    inspection = lock(inspection)
    require(permissions.is_team_member(by, inspection))
    if not allows("start", inspection.status):
        raise ValidationError({NON_FIELD_ERRORS: [_("Only a planned inspection can start.")]})
    if not inspection.has_started():
        raise ValidationError(
            {"starts_at": [_("This inspection cannot start before its start time.")]}
        )
    inspection.status = target("start")
    fields = ["status"]
    if inspection.start_notice_sent_at is None:
        inspection.start_notice_sent_at = timezone.now()
        fields.append("start_notice_sent_at")
        notify_inspected_side(inspection, "inspection_started")
    inspection.save(update_fields=fields)
    return inspection


@transaction.atomic
def cancel_inspection(*, by: User, inspection: Inspection, reason: str) -> Inspection:
    """Cancel an inspection that is not published, with a reason. The inspected side is told
    only if they knew of it."""
    inspection = lock(inspection)
    require(permissions.can_cancel(by, inspection))
    errors: Errors = {}
    reason = required(reason, "reason", errors)
    check(errors)
    if not allows("cancel", inspection.status):
        raise ValidationError(
            {NON_FIELD_ERRORS: [_("This inspection can no longer be cancelled.")]}
        )
    inspection.status = target("cancel")
    inspection.cancel_reason = reason
    inspection.save(update_fields=["status", "cancel_reason"])
    notify_users(team_users(inspection), "inspection_cancelled", inspection, reason=reason)
    notify_inspected_side(inspection, "inspection_cancelled", reason=reason)
    return inspection
