"""Internal supervision: recording review meetings, and the students' anonymous ratings of
their supervision with the aggregates shown from `MIN_ANSWERS` answers on.

A meeting's people are the program's: its administrators, the coordinators of the
organisations taking part (lead university and active partners), their tutors and the tutors
of its students, and its students. The findings it discusses are findings of the same program
that whoever links them can see; links to findings the editor cannot see are kept as they are.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from programs.models import (
    Organization,
    Program,
    ProgramPartner,
    Student,
    TutorAssignment,
    TutorProfile,
)
from programs.scopes import administers, coordinator_ids, program_admin_ids
from training_portal.core.history import history_context
from training_portal.core.validation import comment_length_errors, validated_save

from ..models import (
    Finding,
    RatingReceipt,
    ReviewMeeting,
    ReviewMeetingFinding,
    ReviewMeetingOrganization,
    ReviewMeetingParticipant,
    SupervisionRating,
)
from ..models.internal import COMMENT_MAX_LENGTH
from . import permissions
from .permissions import MIN_ANSWERS

__all__ = [
    "MIN_ANSWERS",
    "RatingStatus",
    "create_review_meeting",
    "current_term",
    "eligible_participants",
    "has_rating_due",
    "involved_organizations",
    "linkable_findings",
    "rating_status",
    "submit_supervision_rating",
    "term_label",
    "update_review_meeting",
]

Errors = dict[str, list[str]]
Status = ReviewMeeting.Status
TWO_PLACES = Decimal("0.01")


# ---- Terms ---------------------------------------------------------------------------------


def current_term(on: dt.date | None = None) -> str:
    """The term of a day: "2026-spring" from January to June, "2026-autumn" from July."""
    day = on or timezone.localdate()
    return f"{day.year}-{'spring' if day.month <= 6 else 'autumn'}"


def term_label(term: str) -> str:
    year, _sep, half = term.partition("-")
    if half == "spring":
        return _("Spring %(year)s") % {"year": year}
    if half == "autumn":
        return _("Autumn %(year)s") % {"year": year}
    return term


def term_order(term: str) -> tuple[str, int]:
    """Sort key of terms in time order (spring before autumn, whatever the alphabet says)."""
    year, _sep, half = term.partition("-")
    return year, 0 if half == "spring" else 1


# ---- The people, organisations and findings of a program's meetings -------------------------


def involved_organizations(program: Program) -> QuerySet[Organization]:
    """The organisations taking part in the program: its lead university, its active partners."""
    partners = ProgramPartner.objects.filter(program=program, is_active=True).values(
        "organization_id"
    )
    return Organization.objects.filter(Q(pk=program.lead_university_id) | Q(pk__in=partners))


def eligible_participants(program: Program) -> QuerySet[User]:
    """Active accounts of the program's administrators, the coordinators and tutors of the
    organisations taking part, the current tutors of its students, and its students."""
    organizations = involved_organizations(program).values("pk")
    admins = program_admin_ids([program.pk])
    coordinators = coordinator_ids(organizations)
    tutors_of_students = TutorAssignment.objects.filter(
        student__program=program, ended_on__isnull=True
    ).values("tutor_id")
    tutors = TutorProfile.objects.filter(
        Q(organization__in=organizations, is_active=True) | Q(pk__in=tutors_of_students)
    ).values("user_id")
    students = (
        Student.objects.filter(program=program)
        .exclude(status=Student.Status.WITHDRAWN)
        .values("user_id")
    )
    return User.objects.filter(
        Q(pk__in=admins) | Q(pk__in=coordinators) | Q(pk__in=tutors) | Q(pk__in=students),
        is_active=True,
    )


def linkable_findings(user: User, program: Program) -> QuerySet[Finding]:
    """Findings of the program that `user` can see, hence may link to a meeting."""
    return Finding.objects.visible_to(user).filter(program=program)


# ---- Review meetings -----------------------------------------------------------------------


@dataclass
class MeetingInput:
    """What a meeting is recorded with (the form and the API give all of it)."""

    title: str
    kind: str
    status: str
    held_on: dt.date | None
    chair: User | None
    participants: Sequence[User] = ()
    organizations: Sequence[Organization] = ()
    findings: Sequence[Finding] = ()
    criticism: str = ""
    review_record: str = ""
    corrective_actions: str = ""
    action_owner: User | None = None
    actions_due_on: dt.date | None = None


@transaction.atomic
def create_review_meeting(*, user: User, program: Program, **fields: Any) -> ReviewMeeting:
    """Record a review meeting of the program (planned, or held with its record)."""
    if not permissions.can_create_meeting(user, program):
        raise PermissionDenied
    meeting = ReviewMeeting(program=program, created_by=user)
    return _save_meeting(user=user, meeting=meeting, data=MeetingInput(**fields), is_new=True)


@transaction.atomic
def update_review_meeting(*, user: User, meeting: ReviewMeeting, **fields: Any) -> ReviewMeeting:
    """Change a meeting: its record once held, the actions agreed, the people, the findings."""
    if not permissions.can_edit_meeting(user, meeting):
        raise PermissionDenied
    meeting.refresh_from_db(from_queryset=ReviewMeeting.objects.select_for_update())
    return _save_meeting(user=user, meeting=meeting, data=MeetingInput(**fields), is_new=False)


def _save_meeting(
    *, user: User, meeting: ReviewMeeting, data: MeetingInput, is_new: bool
) -> ReviewMeeting:
    program = meeting.program
    participants = list(dict.fromkeys(data.participants))
    organizations = list(dict.fromkeys(data.organizations))
    findings = list(dict.fromkeys(data.findings))
    errors = _meeting_errors(user, program, data, participants, organizations, findings)
    meeting.title = (data.title or "").strip()
    meeting.kind = data.kind
    meeting.status = data.status
    if data.held_on is not None:
        meeting.held_on = data.held_on
    if data.chair is not None:
        meeting.chair = data.chair
    meeting.criticism = (data.criticism or "").strip()
    meeting.review_record = (data.review_record or "").strip()
    meeting.corrective_actions = (data.corrective_actions or "").strip()
    meeting.action_owner = data.action_owner
    meeting.actions_due_on = data.actions_due_on
    meeting.updated_at = timezone.now()
    with history_context(user=user.pk):
        validated_save(
            meeting,
            errors=errors,
            constraint_fields={
                "supervision_meeting_actions_after_meeting": "actions_due_on",
                "supervision_meeting_actions_owned": "corrective_actions",
                "supervision_meeting_minutes_when_held": "status",
            },
            exclude=["program", "created_by"],
        )
        _set_links(meeting, participants, organizations, findings, user=user, is_new=is_new)
    return meeting


def _meeting_errors(
    user: User,
    program: Program,
    data: MeetingInput,
    participants: list[User],
    organizations: list[Organization],
    findings: list[Finding],
) -> Errors:
    errors: Errors = {}
    today = timezone.localdate()
    if data.held_on is None:
        errors["held_on"] = [_("Give the date of the meeting.")]
    elif data.status == Status.HELD and data.held_on > today:
        errors["held_on"] = [
            _("A meeting in the future has not been held yet: record it as planned.")
        ]
    if data.chair is None:
        errors["chair"] = [_("Name who chairs the meeting.")]
    people = [*participants, *(p for p in (data.chair, data.action_owner) if p is not None)]
    eligible = _among(eligible_participants(program), people)
    outside = [person for person in participants if person.pk not in eligible]
    if outside:
        errors["participants"] = [
            _("Not people of the program: %(names)s.") % {"names": _names(outside)}
        ]
    if data.chair is not None and data.chair.pk not in eligible:
        errors["chair"] = [_("The chair must be one of the program's people.")]
    if data.action_owner is not None and data.action_owner.pk not in eligible:
        errors["action_owner"] = [_("The person responsible must be one of the program's people.")]
    errors.update(_organization_errors(user, program, organizations))
    errors.update(_finding_errors(user, program, findings))
    errors.update(_record_errors(data))
    return errors


def _organization_errors(user: User, program: Program, organizations: list[Organization]) -> Errors:
    taking_part = _among(involved_organizations(program), organizations)
    outside = [org for org in organizations if org.pk not in taking_part]
    if outside:
        return {
            "organizations": [
                _("Not taking part in the program: %(names)s.") % {"names": _names(outside)}
            ]
        }
    if not administers(user, program) and not (
        {org.pk for org in organizations} & permissions.coordinated_ids(user)
    ):
        return {
            "organizations": [_("A meeting you record involves an organisation you coordinate.")]
        }
    return {}


def _finding_errors(user: User, program: Program, findings: list[Finding]) -> Errors:
    if not findings:
        return {}
    allowed = _among(linkable_findings(user, program), findings)
    refused = [finding for finding in findings if finding.pk not in allowed]
    if not refused:
        return {}
    return {
        "findings": [
            _("Not findings of this program that you can see: %(ids)s.")
            % {"ids": ", ".join(f"#{finding.pk}" for finding in refused)}
        ]
    }


def _record_errors(data: MeetingInput) -> Errors:
    errors: Errors = {}
    actions = (data.corrective_actions or "").strip()
    if data.status != Status.HELD:
        if (data.review_record or "").strip():
            errors["review_record"] = [_("The record is written once the meeting is held.")]
        if actions:
            errors["corrective_actions"] = [
                _("Corrective actions are agreed at a meeting that has been held.")
            ]
    if actions:
        if data.action_owner is None:
            errors.setdefault("action_owner", []).append(
                _("Name who is responsible for the corrective actions.")
            )
        if data.actions_due_on is None:
            errors["actions_due_on"] = [_("Give the date the corrective actions are due.")]
    elif data.action_owner is not None or data.actions_due_on is not None:
        errors.setdefault("corrective_actions", []).append(
            _("Describe the corrective actions that the person responsible carries out.")
        )
    if data.actions_due_on and data.held_on and data.actions_due_on < data.held_on:
        errors["actions_due_on"] = [_("The actions cannot be due before the meeting.")]
    return errors


def _set_links(
    meeting: ReviewMeeting,
    participants: list[User],
    organizations: list[Organization],
    findings: list[Finding],
    *,
    user: User,
    is_new: bool,
) -> None:
    """Replace the meeting's people, organisations and findings; keep the links to findings
    the editor cannot see (they could not have chosen them)."""
    if not is_new:
        ReviewMeetingParticipant.objects.filter(meeting=meeting).exclude(
            user__in=participants
        ).delete()
        ReviewMeetingOrganization.objects.filter(meeting=meeting).exclude(
            organization__in=organizations
        ).delete()
        visible = Finding.objects.visible_to(user).values("pk")
        ReviewMeetingFinding.objects.filter(meeting=meeting, finding__in=visible).exclude(
            finding__in=findings
        ).delete()
    ReviewMeetingParticipant.objects.bulk_create(
        [ReviewMeetingParticipant(meeting=meeting, user=person) for person in participants],
        ignore_conflicts=True,
    )
    ReviewMeetingOrganization.objects.bulk_create(
        [ReviewMeetingOrganization(meeting=meeting, organization=org) for org in organizations],
        ignore_conflicts=True,
    )
    ReviewMeetingFinding.objects.bulk_create(
        [ReviewMeetingFinding(meeting=meeting, finding=finding) for finding in findings],
        ignore_conflicts=True,
    )


def _among(allowed: QuerySet[Any], chosen: Iterable[Any]) -> set[int]:
    """The primary keys of the `chosen` rows that are among the `allowed` ones (one query)."""
    return set(allowed.filter(pk__in=[item.pk for item in chosen]).values_list("pk", flat=True))


def _names(items: Iterable[Any]) -> str:
    return ", ".join(str(item) for item in items)


# ---- Ratings of supervision ----------------------------------------------------------------


@dataclass(frozen=True)
class RatingStatus:
    """A student's position for the current term: whom they rate, whether they have."""

    student: Student
    term: str
    answered: bool
    academic_tutor: TutorProfile | None
    practice_tutors: list[TutorProfile]


def rating_status(user: User, on: dt.date | None = None) -> RatingStatus | None:
    """None for anyone who is not an active student."""
    student = (
        Student.objects.filter(user=user, status=Student.Status.ACTIVE)
        .select_related("program")
        .first()
    )
    if student is None:
        return None
    term = current_term(on)
    current = list(
        TutorAssignment.objects.filter(student=student, ended_on__isnull=True)
        .select_related("tutor__user")
        .order_by("tutor__user__full_name", "pk")
    )
    academic = next((a.tutor for a in current if a.role == TutorProfile.Kind.ACADEMIC), None)
    return RatingStatus(
        student=student,
        term=term,
        answered=RatingReceipt.objects.filter(student=student, term=term).exists(),
        academic_tutor=academic,
        practice_tutors=[a.tutor for a in current if a.role == TutorProfile.Kind.PRACTICE],
    )


def has_rating_due(user: Any) -> bool:
    """One query: an active student who has not rated their supervision this term."""
    answered = RatingReceipt.objects.filter(term=current_term()).values("student_id")
    return (
        Student.objects.filter(user=user, status=Student.Status.ACTIVE)
        .exclude(pk__in=answered)
        .exists()
    )


@transaction.atomic
def submit_supervision_rating(
    *,
    user: User,
    program_support_score: int | None,
    academic_tutor_score: int | None = None,
    practice_tutor_score: int | None = None,
    practice_tutor: TutorProfile | None = None,
    comment: str = "",
) -> SupervisionRating:
    """The student's anonymous answer for the current term (once): a receipt says that they
    answered; the rating, which has no link to them, says what."""
    status = rating_status(user)
    if status is None:
        raise PermissionDenied(_("Only active students rate their supervision."))
    errors: Errors = {}
    if status.answered:
        errors[NON_FIELD_ERRORS] = [
            _("You have already rated your supervision for %(term)s.")
            % {"term": term_label(status.term)}
        ]
    for name, score in (
        ("academic_tutor_score", academic_tutor_score),
        ("practice_tutor_score", practice_tutor_score),
        ("program_support_score", program_support_score),
    ):
        if score is not None and not (isinstance(score, int) and 1 <= score <= 5):
            errors[name] = [_("Give a score from 1 to 5.")]
    if program_support_score is None:
        errors["program_support_score"] = [_("Rate the support of the program.")]
    academic = status.academic_tutor
    if academic is None and academic_tutor_score is not None:
        errors["academic_tutor_score"] = [_("You have no academic tutor to rate.")]
    elif academic is not None and academic_tutor_score is None:
        errors["academic_tutor_score"] = [_("Rate your academic tutor.")]
    practice, practice_errors = _rated_practice_tutor(status, practice_tutor, practice_tutor_score)
    errors.update(practice_errors)
    comment = (comment or "").strip()
    if too_long := comment_length_errors(comment, COMMENT_MAX_LENGTH):
        errors["comment"] = too_long
    if errors or program_support_score is None:
        raise ValidationError(errors)
    validated_save(
        RatingReceipt(student=status.student, term=status.term),
        constraint_fields={"supervision_rating_once_per_term": NON_FIELD_ERRORS},
    )
    return validated_save(
        SupervisionRating(
            program=status.student.program,
            term=status.term,
            academic_tutor=academic,
            academic_tutor_score=academic_tutor_score if academic else None,
            practice_tutor=practice,
            practice_tutor_score=practice_tutor_score if practice else None,
            program_support_score=program_support_score,
            comment=comment,
        )
    )


def _rated_practice_tutor(
    status: RatingStatus, chosen: TutorProfile | None, score: int | None
) -> tuple[TutorProfile | None, Errors]:
    """The practice tutor the answer is about: the student's only one, or the one they chose
    among theirs."""
    tutors = status.practice_tutors
    if chosen is not None and chosen not in tutors:
        return None, {"practice_tutor": [_("Choose one of your current practice tutors.")]}
    if not tutors:
        if score is not None:
            return None, {"practice_tutor_score": [_("You have no practice tutor to rate.")]}
        return None, {}
    tutor = chosen or (tutors[0] if len(tutors) == 1 else None)
    if tutor is None:
        return None, {"practice_tutor": [_("Choose the practice tutor you rate.")]}
    if score is None:
        return None, {"practice_tutor_score": [_("Rate your practice tutor.")]}
    return tutor, {}
