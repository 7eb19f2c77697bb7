"""A student's status over time: suspension (休学), resumption, extension (延期), withdrawal
(退学), change of tutor and graduation, each a `StudentStatusChange`; where the graduate went
(去向) and how it stood a year later; and who read the student's record."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from training_portal.core.history import tracked
from training_portal.core.model_fields import (
    actor_field,
    check,
    moment_field,
    now_field,
    optional_fk,
    period_check,
    unique,
    user_ref,
)

from ..choices import Decision, DestinationKind, Relevance, StatusChangeKind
from .people import Student


@tracked()
class StudentStatusChange(models.Model):
    """One change of a student's status (or a request for one), with its dates, reason and who
    asked and decided. Rows are only added; a request is decided once."""

    Kind = StatusChangeKind
    Decision = Decision

    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="status_changes")
    kind = models.CharField(_("kind"), max_length=16, choices=StatusChangeKind.choices)
    decision = models.CharField(
        _("decision"), max_length=16, choices=Decision.choices, default=Decision.PENDING
    )
    from_status = models.CharField(
        _("previous status"), max_length=16, choices=Student.Status.choices
    )
    to_status = models.CharField(_("new status"), max_length=16, choices=Student.Status.choices)
    starts_on = models.DateField(_("from"), null=True, blank=True)
    ends_on = models.DateField(_("until"), null=True, blank=True)
    shift_days = models.IntegerField(_("milestones moved by (days)"), default=0)
    new_tutor = optional_fk("programs.TutorProfile", _("new tutor"), on_delete=models.PROTECT)
    reason = models.TextField(_("reason"))
    requested_by = user_ref(_("requested by"))
    requested_at = now_field(_("requested at"))
    decided_by = user_ref(_("approved by"), null=True, blank=True)
    decided_at = moment_field(_("decided at"))
    decision_note = models.TextField(_("decision note"), blank=True)
    #: An approved suspension whose start date has not come yet: the student stays active until
    #: the daily task applies it.
    awaiting_start = models.BooleanField(_("awaiting its start date"), default=False)

    class Meta:
        verbose_name = _("student status change")
        verbose_name_plural = _("student status changes")
        ordering = ["-requested_at", "-id"]
        constraints = [
            check(~Q(reason=""), "programs_student_status_change_has_reason", _("Give a reason.")),
            period_check(
                "programs_student_status_change_period_order",
                _("The end date cannot be before the start date."),
                start="starts_on",
                end="ends_on",
                open_end=True,
                open_start=True,
            ),
            check(
                Q(decision="pending", decided_at__isnull=True)
                | (~Q(decision="pending") & Q(decided_at__isnull=False)),
                "programs_student_status_change_decided",
                _("A decided request needs when it was decided."),
            ),
            check(
                Q(awaiting_start=False) | Q(decision="approved", kind="suspension"),
                "programs_student_status_change_awaiting_start",
                _("Only an approved suspension can wait for its start."),
            ),
            unique(
                ["student"],
                "programs_student_status_one_pending",
                _("This student already has a status request awaiting a decision."),
                condition=Q(decision="pending"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student}: {self.get_kind_display()} ({self.get_decision_display()})"


@tracked()
class GraduateDestination(models.Model):
    """Where a graduate went (去向), and, a year after the degree, whether they are still there
    and how close the work is to the field: quality after training."""

    Kind = DestinationKind
    Relevance = Relevance

    student = models.OneToOneField(Student, on_delete=models.CASCADE, related_name="destination")
    employer = models.CharField(_("employer or institution"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=DestinationKind.choices)
    region = models.CharField(_("region"), max_length=100)
    relevance = models.CharField(_("relevance to the field"), max_length=16, choices=Relevance)
    recorded_by = user_ref()
    recorded_at = now_field(_("recorded at"))
    follow_up_due = models.DateField(_("follow-up due"))
    followed_up_at = moment_field(_("followed up at"))
    followed_up_by = actor_field()
    still_there = models.BooleanField(_("still with the same employer"), null=True, blank=True)
    current_employer = models.CharField(_("current employer"), max_length=200, blank=True)
    current_relevance = models.CharField(
        _("current relevance to the field"), max_length=16, choices=Relevance, blank=True
    )
    follow_up_note = models.TextField(_("follow-up note"), blank=True)

    class Meta:
        verbose_name = _("graduate destination")
        verbose_name_plural = _("graduate destinations")
        ordering = ["follow_up_due", "id"]
        indexes = [
            models.Index(
                fields=["follow_up_due"],
                condition=Q(followed_up_at__isnull=True),
                name="programs_destination_due_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.student}: {self.employer}"


class StudentRecordView(models.Model):
    """Someone other than the student read the student's record on `day` (once a day)."""

    reader = user_ref(on_delete=models.CASCADE)
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="record_views")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices, blank=True)
    day = models.DateField(_("date"))
    first_at = now_field(_("first read at"))

    class Meta:
        verbose_name = _("read of a student record")
        verbose_name_plural = _("reads of student records")
        ordering = ["-day", "-first_at", "-id"]
        constraints = [
            unique(
                ["reader", "student", "day"],
                "programs_record_view_once_a_day",
                _("This read is already recorded."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.reader} → {self.student} ({self.day})"
