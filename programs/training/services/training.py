"""The training of one student: milestones from the program's templates, the plan workflow
(draft → submitted → approved by tutor → approved, new version on change) and sign-off.

Every plan transition is written to `PlanTransition` and the next actor is notified.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from training_portal.core.formats import format_date
from training_portal.core.notifications import notify
from training_portal.core.validation import PDF_OR_IMAGE, reject_unknown_fields, upload_error

from ...models import (
    Course,
    Milestone,
    MilestoneTemplate,
    PlanCaseTarget,
    PlanTransition,
    Program,
    ProgramCourse,
    Student,
    TrainingPlan,
    TutorProfile,
)
from ...models.training import Modality
from ...people.permissions import is_own_student_record
from ...scopes import program_admin_ids
from ..permissions import (
    can_approve_plan,
    can_edit_plan,
    can_return_plan,
    can_revise_plan,
    can_sign_off_milestone,
    can_submit_plan,
    can_tutor_approve_plan,
)

__all__ = [
    "PLAN_FIELDS",
    "academic_tutor_users",
    "approve_plan",
    "draft_plan",
    "instantiate_milestones",
    "program_admin_users",
    "return_plan",
    "revise_plan",
    "sign_off_milestone",
    "submit_plan",
    "tutor_approve_plan",
    "update_plan",
]

Status = TrainingPlan.Status

#: What a student may change in a draft (`update_plan(**fields)`), in the order the API
#: lists them.
PLAN_FIELDS = (
    "career_goal",
    "personal_objectives",
    "planned_placements",
    "planned_projects",
    "courses",
    "case_targets",
)
_COPIED_FIELDS = ("career_goal", "personal_objectives", "planned_placements", "planned_projects")
_NOTIFICATIONS = "programs/notifications"


# ---- Milestones ----------------------------------------------------------------------------


@transaction.atomic
def instantiate_milestones(*, student: Student) -> int:
    """Give the student a milestone for each template of their program they lack yet."""
    # Locking the student makes two concurrent calls take turns instead of colliding.
    student = Student.objects.select_for_update().get(pk=student.pk)
    have = Milestone.objects.filter(student=student, template__isnull=False).values("template_id")
    templates = MilestoneTemplate.objects.filter(
        program_id=student.program_id, retired_at__isnull=True
    ).exclude(pk__in=have)
    created = Milestone.objects.bulk_create(
        Milestone(
            student=student,
            template=template,
            kind=template.kind,
            title=template.title,
            due_date=student.enrolled_on + dt.timedelta(days=template.due_offset_days),
        )
        for template in templates
    )
    return len(created)


@transaction.atomic
def sign_off_milestone(
    *,
    user: User,
    milestone: Milestone,
    completed_on: dt.date,
    evidence: str = "",
    evidence_file: File[Any] | None = None,
) -> Milestone:
    """A current tutor of the student confirms the milestone was reached on `completed_on`."""
    if not can_sign_off_milestone(user, milestone):
        raise PermissionDenied
    milestone.refresh_from_db(from_queryset=Milestone.objects.select_for_update())
    if milestone.signed_off_at is not None:
        raise ValidationError(
            {
                NON_FIELD_ERRORS: _("This milestone was already signed off on %(date)s.")
                % {"date": format_date(milestone.signed_off_at)}
            }
        )
    errors: dict[str, str] = {}
    if completed_on > timezone.localdate():
        errors["completed_on"] = _("The completion date cannot be in the future.")
    elif completed_on < milestone.student.enrolled_on:
        errors["completed_on"] = _("The completion date cannot be before enrolment (%(date)s).") % {
            "date": format_date(milestone.student.enrolled_on)
        }
    if evidence_file is not None and (
        message := upload_error(
            evidence_file,
            signatures=PDF_OR_IMAGE,
            wrong_type=_("Upload the evidence as a PDF, JPEG or PNG file."),
        )
    ):
        errors["evidence_file"] = message
    if errors:
        raise ValidationError(errors)
    milestone.completed_on = completed_on
    if evidence:
        milestone.evidence = evidence
    if evidence_file is not None:
        milestone.evidence_file = evidence_file
    milestone.signed_off_by = user
    milestone.signed_off_at = timezone.now()
    milestone.save()
    return milestone


# ---- Plan workflow -------------------------------------------------------------------------


@transaction.atomic
def draft_plan(
    *,
    user: User,
    student: Student,
    career_goal: str,
    personal_objectives: str,
    planned_placements: str = "",
    planned_projects: str = "",
    courses: Iterable[Course | int] = (),
    case_targets: Mapping[str, int] | None = None,
) -> TrainingPlan:
    """The student starts a plan: version 1, or the next one when none is in progress."""
    if not is_own_student_record(user, student):
        raise PermissionDenied
    # The student row serialises version numbering and the "one open version" rule.
    student = Student.objects.select_for_update().select_related("program").get(pk=student.pk)
    _refuse_second_open_version(student)
    plan = TrainingPlan(
        student=student,
        version=_next_version(student),
        status=Status.DRAFT,
        career_goal=career_goal,
        personal_objectives=personal_objectives,
        planned_placements=planned_placements,
        planned_projects=planned_projects,
    )
    course_ids = _course_ids(courses)
    targets = dict(case_targets or {})
    _validate_plan(plan, course_ids=course_ids, case_targets=targets)
    plan.save()
    plan.courses.set(course_ids)
    _replace_case_targets(plan, targets)
    _record(plan, user=user, from_status="", to_status=Status.DRAFT)
    return plan


@transaction.atomic
def update_plan(*, user: User, plan: TrainingPlan, **fields: Any) -> TrainingPlan:
    """The student changes their draft (any of `PLAN_FIELDS`)."""
    reject_unknown_fields("update_plan", fields, PLAN_FIELDS)
    _lock_for(user, plan, can_edit_plan)
    for name in _COPIED_FIELDS:
        if name in fields:
            setattr(plan, name, fields[name])
    course_ids = _course_ids(fields["courses"]) if "courses" in fields else None
    targets = dict(fields["case_targets"]) if "case_targets" in fields else None
    _validate_plan(plan, course_ids=course_ids, case_targets=targets)
    plan.save()
    if course_ids is not None:
        plan.courses.set(course_ids)
    if targets is not None:
        _replace_case_targets(plan, targets)
    return plan


@transaction.atomic
def submit_plan(*, user: User, plan: TrainingPlan) -> TrainingPlan:
    """The student hands the draft to their academic tutor."""
    _lock_for(user, plan, can_submit_plan)
    _move(plan, user=user, to_status=Status.SUBMITTED)
    _notify_all(academic_tutor_users(plan.student), "plan_submitted", plan=plan, actor=user)
    return plan


@transaction.atomic
def tutor_approve_plan(*, user: User, plan: TrainingPlan) -> TrainingPlan:
    """The academic tutor approves; the program's administrators decide next."""
    _lock_for(user, plan, can_tutor_approve_plan)
    _move(plan, user=user, to_status=Status.TUTOR_APPROVED)
    _notify_all(
        program_admin_users(plan.student.program), "plan_tutor_approved", plan=plan, actor=user
    )
    return plan


@transaction.atomic
def approve_plan(*, user: User, plan: TrainingPlan) -> TrainingPlan:
    """A program administrator approves; the previously approved version is superseded."""
    _lock_for(user, plan, can_approve_plan)
    previous = (
        TrainingPlan.objects.select_for_update()
        .filter(student_id=plan.student_id, status=Status.APPROVED)
        .exclude(pk=plan.pk)
    )
    # "One approved version" is checked row by row: supersede the old one first.
    for old in previous:
        _move(old, user=user, to_status=Status.SUPERSEDED)
    _move(plan, user=user, to_status=Status.APPROVED)
    _notify_all([plan.student.user], "plan_approved", plan=plan, actor=user)
    return plan


@transaction.atomic
def return_plan(*, user: User, plan: TrainingPlan, comment: str) -> TrainingPlan:
    """The tutor or an administrator sends the plan back to the student, saying why."""
    _lock_for(user, plan, can_return_plan)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": _("Say what the student should change.")})
    _move(plan, user=user, to_status=Status.DRAFT, comment=comment)
    _notify_all([plan.student.user], "plan_returned", plan=plan, actor=user, comment=comment)
    return plan


@transaction.atomic
def revise_plan(*, user: User, plan: TrainingPlan) -> TrainingPlan:
    """The student's next change after approval: a new draft version copied from `plan`.

    The approved version stays approved (and readable) until the new one is approved.
    """
    _lock_for(user, plan, can_revise_plan)
    student = Student.objects.select_for_update().get(pk=plan.student_id)
    _refuse_second_open_version(student)
    revision = TrainingPlan.objects.create(
        student=student,
        version=_next_version(student),
        status=Status.DRAFT,
        **{name: getattr(plan, name) for name in _COPIED_FIELDS},
    )
    revision.courses.set(plan.courses.all())
    PlanCaseTarget.objects.bulk_create(
        PlanCaseTarget(plan=revision, modality=target.modality, target=target.target)
        for target in plan.case_targets.all()
    )
    _record(revision, user=user, from_status="", to_status=Status.DRAFT)
    return revision


# ---- Recipients ----------------------------------------------------------------------------


def academic_tutor_users(student: Student) -> QuerySet[User]:
    """The student's current academic tutor(s)."""
    return User.objects.filter(
        is_active=True,
        tutor_profile__assignments__student=student,
        tutor_profile__assignments__role=TutorProfile.Kind.ACADEMIC,
        tutor_profile__assignments__ended_on__isnull=True,
    ).distinct()


def program_admin_users(program: Program) -> QuerySet[User]:
    """The current administrators of `program` (not the portal administrators)."""
    return User.objects.filter(is_active=True, pk__in=program_admin_ids([program.pk]))


# ---- Helpers -------------------------------------------------------------------------------


def _lock(plan: TrainingPlan) -> None:
    """Reload the plan's row under a lock, so two decisions cannot cross."""
    plan.refresh_from_db(
        from_queryset=TrainingPlan.objects.select_for_update(of=("self",)).select_related(
            "student__program", "student__user"
        )
    )


def _lock_for(user: User, plan: TrainingPlan, may: Callable[[User, TrainingPlan], bool]) -> None:
    """Lock the plan's row, then check that `user` may act on the plan as it now stands."""
    _lock(plan)
    if not may(user, plan):
        raise PermissionDenied


def _next_version(student: Student) -> int:
    latest = TrainingPlan.objects.filter(student=student).aggregate(latest=Max("version"))
    return int(latest["latest"] or 0) + 1


def _refuse_second_open_version(student: Student) -> None:
    open_plan = TrainingPlan.objects.filter(student=student, status__in=TrainingPlan.OPEN).first()
    if open_plan is not None:
        raise ValidationError(
            {
                NON_FIELD_ERRORS: _(
                    "Version %(version)d of the plan is still in progress; continue with that one."
                )
                % {"version": open_plan.version}
            }
        )


def _course_ids(courses: Iterable[Course | int]) -> list[int]:
    return list(dict.fromkeys(c.pk if isinstance(c, Course) else int(c) for c in courses))


def _validate_plan(
    plan: TrainingPlan, *, course_ids: list[int] | None, case_targets: dict[str, int] | None
) -> None:
    errors: dict[str, list[str]] = {}
    try:
        plan.full_clean(
            exclude=["student", "courses"], validate_unique=False, validate_constraints=False
        )
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if course_ids:
        course_errors = _course_errors(plan, course_ids)
        if course_errors:
            errors["courses"] = course_errors
    if case_targets:
        target_errors = [
            message
            for modality, target in case_targets.items()
            if (message := _case_target_error(modality, target))
        ]
        if target_errors:
            errors["case_targets"] = target_errors
    if errors:
        raise ValidationError(errors)


def _course_errors(plan: TrainingPlan, course_ids: list[int]) -> list[str]:
    """Courses outside the program's curriculum, and courses retired from it that the plan
    does not have already (a course retired after the plan took it stays on the plan)."""
    entries = dict(
        ProgramCourse.objects.filter(
            program_id=plan.student.program_id, course_id__in=course_ids
        ).values_list("course_id", "retired_at")
    )
    kept = set(plan.courses.values_list("pk", flat=True)) if plan.pk else set()
    outside = [pk for pk in course_ids if pk not in entries]
    retired = [pk for pk in course_ids if entries.get(pk) is not None and pk not in kept]
    codes = dict(Course.objects.filter(pk__in=outside + retired).values_list("pk", "code"))
    program = plan.student.program.code
    messages = []
    if outside:
        messages.append(
            _("Not in the curriculum of %(program)s: %(codes)s.")
            % {
                "program": program,
                "codes": ", ".join(sorted(codes[pk] for pk in outside if pk in codes))
                or _("unknown course"),
            }
        )
    if retired:
        messages.append(
            ngettext(
                "This course was retired from the curriculum of %(program)s and is no longer "
                "offered: %(codes)s.",
                "These courses were retired from the curriculum of %(program)s and are no "
                "longer offered: %(codes)s.",
                len(retired),
            )
            % {"program": program, "codes": ", ".join(sorted(codes[pk] for pk in retired))}
        )
    return messages


def _case_target_error(modality: str, target: Any) -> str:
    if modality not in Modality.values:
        return _("“%(modality)s” is not a modality.") % {"modality": modality}
    if isinstance(target, bool) or not isinstance(target, int) or not 1 <= target <= 100_000:
        return _("The target for %(modality)s must be a whole number from 1 to 100000.") % {
            "modality": Modality(modality).label
        }
    return ""


def _replace_case_targets(plan: TrainingPlan, targets: dict[str, int]) -> None:
    plan.case_targets.all().delete()
    PlanCaseTarget.objects.bulk_create(
        PlanCaseTarget(plan=plan, modality=modality, target=target)
        for modality, target in targets.items()
    )


def _move(plan: TrainingPlan, *, user: User, to_status: str, comment: str = "") -> None:
    from_status = plan.status
    plan.status = to_status
    plan.save(update_fields=["status", "updated_at"])
    _record(plan, user=user, from_status=from_status, to_status=to_status, comment=comment)


def _record(
    plan: TrainingPlan, *, user: User, from_status: str, to_status: str, comment: str = ""
) -> PlanTransition:
    return PlanTransition.objects.create(
        plan=plan, from_status=from_status, to_status=to_status, by=user, comment=comment
    )


def _notify_all(
    recipients: Iterable[User], template: str, *, plan: TrainingPlan, actor: User, comment: str = ""
) -> None:
    context = {
        "actor": {"full_name": actor.full_name},
        "plan": {
            "version": plan.version,
            "student": {"user": {"full_name": plan.student.user.full_name}},
        },
        "comment": comment,
    }
    for recipient in recipients:
        notify(recipient=recipient, template=f"{_NOTIFICATIONS}/{template}", context=context)
