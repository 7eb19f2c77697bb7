"""People of a program: tutors, students, and dual supervision (one academic tutor, any
number of practice tutors, each within their capacity unless someone says why not).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import RoleMembership, User
from accounts.roles import Role
from training_portal.core.notifications import notify
from training_portal.core.texts import choice
from training_portal.core.validation import validated_save

from ...design import workflow
from ...models import Organization, Program, Student, TutorAssignment, TutorProfile
from ..permissions import can_create_tutor, can_manage_students

__all__ = [
    "assign_tutor",
    "create_tutor",
    "end_assignment",
    "enrol_student",
]

Kind = TutorProfile.Kind
_NOTIFICATIONS = "programs/notifications"
_TUTOR_ROLES = {Kind.ACADEMIC: Role.ACADEMIC_TUTOR, Kind.PRACTICE: Role.PRACTICE_TUTOR}


@transaction.atomic
def create_tutor(
    *,
    user: User,
    tutor_user: User,
    kind: str,
    organization: Organization,
    capacity: int,
    **profile: Any,
) -> TutorProfile:
    """Give a person a tutor profile at an organisation, and the matching tutor role there."""
    if not can_create_tutor(user, organization):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    if TutorProfile.objects.filter(user=tutor_user).exists():
        errors["tutor_user"] = [
            _("%(person)s already has a tutor profile.") % {"person": tutor_user}
        ]
    tutor = validated_save(
        TutorProfile(
            user=tutor_user, kind=kind, organization=organization, capacity=capacity, **profile
        ),
        errors=errors,
        exclude=["user"],
        constraint_fields={"programs_tutor_capacity_range": "capacity"},
    )
    _grant(tutor_user, _TUTOR_ROLES[Kind(kind)], organization, by=user)
    return tutor


@transaction.atomic
def enrol_student(
    *,
    user: User,
    student_user: User,
    program: Program,
    student_number: str,
    cohort: int,
    enrolled_on: dt.date,
) -> Student:
    """Enrol a person in the program: the student record, the student role, the milestones."""
    if not can_manage_students(user, program):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    enrolled = Student.objects.filter(user=student_user).select_related("program").first()
    if enrolled is not None:
        errors["student_user"] = [
            _("%(person)s is already enrolled in %(program)s.")
            % {"person": student_user, "program": enrolled.program.code}
        ]
    if not workflow.allows(program, "enrol"):
        errors["program"] = [workflow.refusal(program, "enrol")]
    student = validated_save(
        Student(
            user=student_user,
            program=program,
            student_number=(student_number or "").strip(),
            cohort=cohort,
            enrolled_on=enrolled_on,
        ),
        errors=errors,
        exclude=["user"],
        constraint_fields={"programs_student_cohort_range": "cohort"},
    )
    _grant(student_user, Role.STUDENT, program, by=user)
    # Written alongside this module; imported here so that either can load first.
    from ...training.services.training import instantiate_milestones

    instantiate_milestones(student=student)
    return student


@transaction.atomic
def assign_tutor(
    *,
    user: User,
    student: Student,
    tutor: TutorProfile,
    role: str,
    over_capacity_reason: str = "",
    replace: bool = False,
) -> TutorAssignment:
    """Make `tutor` a current tutor of the student and tell them.

    A student has one academic tutor: `replace=True` ends the current one's assignment today.
    A tutor at capacity takes one more student only with a reason, which is kept.
    """
    if not can_manage_students(user, student.program):
        raise PermissionDenied
    # Student, then tutor: one lock order, so concurrent assignments take turns.
    Student.objects.select_for_update().filter(pk=student.pk).get()
    tutor.refresh_from_db(from_queryset=TutorProfile.objects.select_for_update())
    reason = (over_capacity_reason or "").strip()
    errors = _assignment_errors(student, tutor, role)
    current_academic = (
        TutorAssignment.objects.filter(student=student, role=Kind.ACADEMIC, ended_on__isnull=True)
        .exclude(tutor=tutor)
        .select_related("tutor__user")
        .first()
        if role == Kind.ACADEMIC
        else None
    )
    if current_academic is not None and not replace:
        errors.setdefault("tutor", []).append(
            _("%(student)s already has an academic tutor, %(tutor)s; replace them explicitly.")
            % {"student": student.user, "tutor": current_academic.tutor}
        )
    load = _load(tutor)
    over_capacity = load >= tutor.capacity
    if over_capacity and not reason:
        errors["over_capacity_reason"] = [
            _(
                "%(tutor)s already supervises %(load)d students (capacity %(capacity)d); "
                "say why they should take one more."
            )
            % {"tutor": tutor, "load": load, "capacity": tutor.capacity}
        ]
    if errors:
        raise ValidationError(errors)
    if current_academic is not None:
        _end(current_academic, ended_on=max(timezone.localdate(), current_academic.started_on))
    assignment = validated_save(
        TutorAssignment(
            student=student,
            tutor=tutor,
            role=role,
            over_capacity_reason=reason if over_capacity else "",
            assigned_by=user,
        ),
        constraint_fields={
            "programs_one_current_academic_tutor": "tutor",
            "programs_assignment_unique_current": "tutor",
        },
    )
    notify(
        recipient=tutor.user,
        template=f"{_NOTIFICATIONS}/assignment_created",
        context={
            **_assignment_context(assignment),
            "actor": {"full_name": user.full_name},
        },
    )
    return assignment


@transaction.atomic
def end_assignment(
    *, user: User, assignment: TutorAssignment, ended_on: dt.date
) -> TutorAssignment:
    """End a tutor's supervision of a student on `ended_on` (today or earlier) and tell them."""
    if not can_manage_students(user, assignment.student.program):
        raise PermissionDenied
    assignment.refresh_from_db(from_queryset=TutorAssignment.objects.select_for_update())
    errors: dict[str, list[str]] = {}
    if assignment.ended_on is not None:
        errors["ended_on"] = [_("This supervision already ended.")]
    elif ended_on > timezone.localdate():
        errors["ended_on"] = [_("The end date cannot be in the future.")]
    elif ended_on < assignment.started_on:
        errors["ended_on"] = [_("An assignment cannot end before it starts.")]
    if errors:
        raise ValidationError(errors)
    _end(assignment, ended_on=ended_on)
    return assignment


# ---- Helpers -------------------------------------------------------------------------------


def _assignment_errors(student: Student, tutor: TutorProfile, role: str) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if role not in Kind.values:
        errors["role"] = [_("“%(value)s” is not a tutor role.") % {"value": role}]
    elif role != tutor.kind:
        errors["role"] = [
            _("%(tutor)s is a tutor of another kind (%(kind)s).")
            % {"tutor": tutor, "kind": tutor.get_kind_display()}
        ]
    if not tutor.is_active:
        errors.setdefault("tutor", []).append(
            _("%(tutor)s no longer takes students.") % {"tutor": tutor}
        )
    elif TutorAssignment.objects.filter(
        student=student, tutor=tutor, ended_on__isnull=True
    ).exists():
        errors.setdefault("tutor", []).append(_("This tutor already supervises this student."))
    return errors


def _load(tutor: TutorProfile) -> int:
    """Current assignments of active students (FOR UPDATE cannot be used with the count)."""
    loaded = TutorProfile.objects.with_load().get(pk=tutor.pk)
    return int(loaded.active_students)  # type: ignore[attr-defined]  # annotated by with_load()


def _end(assignment: TutorAssignment, *, ended_on: dt.date) -> None:
    assignment.ended_on = ended_on
    assignment.save(update_fields=["ended_on"])
    notify(
        recipient=assignment.tutor.user,
        template=f"{_NOTIFICATIONS}/assignment_ended",
        context=_assignment_context(assignment),
    )


def student_context(student: Student) -> dict[str, Any]:
    """The student as the notifications about them show it, as plain values."""
    return {
        "user": {"full_name": student.user.full_name},
        "student_number": student.student_number,
        "program": {"code": student.program.code},
    }


def _assignment_context(assignment: TutorAssignment) -> dict[str, Any]:
    """What the assignment notifications show, as plain values (rendered when read)."""
    return {
        "student": student_context(assignment.student),
        "assignment": {
            "get_role_display": choice(assignment, "role"),
            "over_capacity_reason": assignment.over_capacity_reason,
            "tutor": {"capacity": assignment.tutor.capacity},
            "ended_on": assignment.ended_on,
        },
    }


def _grant(person: User, role: Role, scope: models.Model, *, by: User) -> None:
    """Grant the role for the scope, or renew a lapsed grant of it."""
    membership, created = RoleMembership.objects.get_or_create(
        user=person,
        role=role,
        scope_type=ContentType.objects.get_for_model(scope),
        scope_id=scope.pk,
        defaults={"granted_by": by},
    )
    if not created and not RoleMembership.objects.current().filter(pk=membership.pk).exists():
        membership.valid_from = None
        membership.valid_until = None
        membership.granted_by = by
        membership.save(update_fields=["valid_from", "valid_until", "granted_by"])
    # The person's roles may have been read already (cached): read them again when asked.
    person.__dict__.pop("current_roles", None)
