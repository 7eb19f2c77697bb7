"""Internal supervision: review meetings of a program's training subjects and students, and
the students' anonymous ratings of their supervision, once per term.

Anonymity of ratings is a matter of storage, not only of display: a `SupervisionRating` has
no link to its student (no foreign key, no timestamp, a random primary key), and is not kept
in the change history (whose rows record who made each change). The once-per-term rule is
kept by a separate `RatingReceipt(student, term)`, which says that a student answered, never
what.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core.validators import (
    MaxLengthValidator,
    MaxValueValidator,
    MinValueValidator,
    RegexValidator,
)
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from programs.models import Organization, Program, Student, TutorProfile
from training_portal.core.history import tracked
from training_portal.core.model_fields import (
    both_or_neither,
    check,
    in_range,
    now_field,
    optional_fk,
    period_check,
    ref,
    unique,
    user_ref,
)

from ..choices import ReviewMeetingKind, ReviewMeetingStatus
from .audit import Finding

#: A term is a year and its half: "2026-spring" (January to June), "2026-autumn" (July on).
TERM_PATTERN = r"^[0-9]{4}-(spring|autumn)$"
term_validator = RegexValidator(
    TERM_PATTERN, _("A term is a year and a half of it, e.g. “2026-spring” or “2026-autumn”.")
)
SCORE_VALIDATORS = [MinValueValidator(1), MaxValueValidator(5)]
#: Longest rating comment, in characters.
COMMENT_MAX_LENGTH = 2000


class ReviewMeetingQuerySet(models.QuerySet["ReviewMeeting"]):
    def visible_to(self, user: Any) -> ReviewMeetingQuerySet:
        from ..internal.permissions import review_meeting_filter

        return self.filter(review_meeting_filter(user))


@tracked()
class ReviewMeeting(models.Model):
    """A review meeting of a program: who met, the criticism raised, the record, the corrective
    actions agreed (with who is responsible and by when), and the findings discussed."""

    Kind = ReviewMeetingKind
    Status = ReviewMeetingStatus

    program = ref(Program, _("program"), related_name="review_meetings")
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PLANNED
    )
    held_on = models.DateField(_("date"))
    chair = user_ref(_("chair"), related_name="review_meetings_chaired")
    participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="ReviewMeetingParticipant",
        related_name="review_meetings",
        verbose_name=_("participants"),
    )
    organizations = models.ManyToManyField(
        Organization,
        through="ReviewMeetingOrganization",
        related_name="review_meetings",
        verbose_name=_("organisations involved"),
    )
    findings = models.ManyToManyField(
        Finding,
        through="ReviewMeetingFinding",
        related_name="review_meetings",
        verbose_name=_("findings discussed"),
    )
    criticism = models.TextField(_("criticism (problems raised)"), blank=True)
    review_record = models.TextField(_("review record (minutes)"), blank=True)
    corrective_actions = models.TextField(_("corrective actions agreed"), blank=True)
    action_owner = user_ref(
        _("responsible for the actions"), related_name="review_actions_owned", null=True, blank=True
    )
    actions_due_on = models.DateField(_("actions due on"), null=True, blank=True)
    created_by = user_ref(_("created by"), on_delete=models.SET_NULL, null=True)
    created_at = now_field(_("created at"))
    updated_at = now_field(_("updated at"))

    objects = ReviewMeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("review meeting")
        verbose_name_plural = _("review meetings")
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["program", "held_on"])]
        constraints = [
            period_check(
                "supervision_meeting_actions_after_meeting",
                _("The actions cannot be due before the meeting."),
                start="held_on",
                end="actions_due_on",
                open_end=True,
            ),
            check(
                Q(corrective_actions="")
                | Q(action_owner__isnull=False, actions_due_on__isnull=False),
                "supervision_meeting_actions_owned",
                _("Corrective actions need a responsible person and a due date."),
            ),
            check(
                Q(status="held") | Q(review_record="", corrective_actions=""),
                "supervision_meeting_minutes_when_held",
                _("The record and the corrective actions are written once the meeting is held."),
            ),
        ]

    def __str__(self) -> str:
        return self.title


@tracked()
class ReviewMeetingParticipant(models.Model):
    """Someone who took part in (or is invited to) a review meeting."""

    meeting = models.ForeignKey(
        ReviewMeeting, on_delete=models.CASCADE, related_name="participant_links"
    )
    user = user_ref()

    class Meta:
        verbose_name = _("meeting participant")
        verbose_name_plural = _("meeting participants")
        constraints = [unique(["meeting", "user"], "supervision_meeting_participant_once")]
        indexes = [models.Index(fields=["user", "meeting"])]

    def __str__(self) -> str:
        return f"{self.meeting_id}:{self.user_id}"


@tracked()
class ReviewMeetingOrganization(models.Model):
    """An organisation involved in a review meeting."""

    meeting = models.ForeignKey(
        ReviewMeeting, on_delete=models.CASCADE, related_name="organization_links"
    )
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("organisation involved")
        verbose_name_plural = _("organisations involved")
        constraints = [unique(["meeting", "organization"], "supervision_meeting_organization_once")]
        indexes = [models.Index(fields=["organization", "meeting"])]

    def __str__(self) -> str:
        return f"{self.meeting_id}:{self.organization_id}"


@tracked()
class ReviewMeetingFinding(models.Model):
    """A finding discussed at a review meeting (the corrective actions answer it)."""

    meeting = models.ForeignKey(
        ReviewMeeting, on_delete=models.CASCADE, related_name="finding_links"
    )
    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="meeting_links")

    class Meta:
        verbose_name = _("finding discussed")
        verbose_name_plural = _("findings discussed")
        constraints = [unique(["meeting", "finding"], "supervision_meeting_finding_once")]

    def __str__(self) -> str:
        return f"{self.meeting_id}:{self.finding_id}"


# ---- Ratings of supervision ----------------------------------------------------------------


class RatingReceipt(models.Model):
    """That a student has rated their supervision in a term (never what they answered)."""

    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="rating_receipts")
    term = models.CharField(_("term"), max_length=16, validators=[term_validator])

    class Meta:
        verbose_name = _("rating receipt")
        verbose_name_plural = _("rating receipts")
        constraints = [
            unique(
                ["student", "term"],
                "supervision_rating_once_per_term",
                _("You have already rated your supervision for this term."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.student_id}:{self.term}"


class SupervisionRating(models.Model):
    """One student's anonymous answer for a term: scores of their academic tutor, practice
    tutor and the program's support, and an optional comment.

    Deliberately not tracked in the history and without a student, a timestamp or a
    sequential id: nothing in the row leads back to who answered. The tutors are those the
    student had when answering, so that the answers count for them.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    program = ref(Program, _("program"), related_name="supervision_ratings")
    term = models.CharField(_("term"), max_length=16, validators=[term_validator])
    academic_tutor = optional_fk(TutorProfile, _("academic tutor"), on_delete=models.PROTECT)
    practice_tutor = optional_fk(TutorProfile, _("practice tutor"), on_delete=models.PROTECT)
    academic_tutor_score = models.PositiveSmallIntegerField(
        _("academic tutor"), null=True, blank=True, validators=SCORE_VALIDATORS
    )
    practice_tutor_score = models.PositiveSmallIntegerField(
        _("practice tutor"), null=True, blank=True, validators=SCORE_VALIDATORS
    )
    program_support_score = models.PositiveSmallIntegerField(
        _("program support"), validators=SCORE_VALIDATORS
    )
    comment = models.TextField(
        _("comment"), blank=True, validators=[MaxLengthValidator(COMMENT_MAX_LENGTH)]
    )

    class Meta:
        verbose_name = _("supervision rating")
        verbose_name_plural = _("supervision ratings")
        indexes = [
            models.Index(fields=["program", "term"]),
            models.Index(fields=["academic_tutor", "term"]),
            models.Index(fields=["practice_tutor", "term"]),
        ]
        constraints = [
            check(
                Q(term__regex=TERM_PATTERN),
                "supervision_rating_term_format",
                _("A term is a year and a half of it."),
            ),
            check(
                in_range("academic_tutor_score", 1, 5, optional=True),
                "supervision_rating_academic_score_range",
                _("A score is from 1 to 5."),
            ),
            check(
                in_range("practice_tutor_score", 1, 5, optional=True),
                "supervision_rating_practice_score_range",
                _("A score is from 1 to 5."),
            ),
            check(
                in_range("program_support_score", 1, 5),
                "supervision_rating_support_score_range",
                _("A score is from 1 to 5."),
            ),
            check(
                both_or_neither("academic_tutor", "academic_tutor_score"),
                "supervision_rating_academic_score_with_tutor",
                _("An academic tutor's score goes with that tutor."),
            ),
            check(
                both_or_neither("practice_tutor", "practice_tutor_score"),
                "supervision_rating_practice_score_with_tutor",
                _("A practice tutor's score goes with that tutor."),
            ),
        ]

    def __str__(self) -> str:
        return str(_("Rating of %(term)s")) % {"term": self.term}
