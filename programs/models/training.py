"""The training of one student: plan versions, milestones, placements, logs."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models
from django.db.models import OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from training_portal.core.history import tracked
from training_portal.core.model_fields import (
    actor_field,
    check,
    in_range,
    moment_field,
    now_field,
    optional_fk,
    period_check,
    unique,
    user_ref,
)

from ..choices import (
    CaseLogRole,
    Modality,
    PlacementStatus,
    ProgressLogKind,
    TrainingPlanCareerGoal,
    TrainingPlanStatus,
)
from .organizations import Organization
from .people import Student, TutorProfile
from .programs import Course, MilestoneTemplate, ProgramPartner
from .projects import Project


class VisibleByStudent(models.QuerySet[Any]):
    """Rows of a student's training are visible to the student's care circle."""

    def visible_to(self, user: Any) -> Any:
        from ..scopes import student_ids_in_care_of

        return self.filter(student_id__in=student_ids_in_care_of(user))


class PlanQuerySet(VisibleByStudent):
    def current(self) -> PlanQuerySet:
        """The latest version of each student's plan."""
        return self.exclude(status=TrainingPlan.Status.SUPERSEDED).order_by("student", "-version")


@tracked()
class TrainingPlan(models.Model):
    """One version of a student's individual training plan."""

    Status = TrainingPlanStatus
    CareerGoal = TrainingPlanCareerGoal

    OPEN = (Status.DRAFT, Status.SUBMITTED, Status.TUTOR_APPROVED)

    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="plans")
    version = models.PositiveSmallIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    career_goal = models.CharField(_("career goal"), max_length=20, choices=CareerGoal.choices)
    personal_objectives = models.TextField(_("personal objectives"))
    planned_placements = models.TextField(_("planned placements"), blank=True)
    planned_projects = models.TextField(_("planned projects"), blank=True)
    courses = models.ManyToManyField(
        Course, blank=True, related_name="plans", verbose_name=_("courses")
    )
    created_at = now_field(_("created at"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = PlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("training plan")
        verbose_name_plural = _("training plans")
        ordering = ["student", "-version"]
        constraints = [
            unique(
                ["student", "version"],
                "programs_plan_version_unique",
                _("This version of the plan already exists."),
            ),
            unique(
                ["student"],
                "programs_plan_one_open_version",
                _("The student already has a plan version in progress."),
                condition=Q(status__in=["draft", "submitted", "tutor_approved"]),
            ),
            unique(
                ["student"],
                "programs_plan_one_approved_version",
                _("The student already has an approved plan."),
                condition=Q(status="approved"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student} v{self.version}"


class PlanTransition(models.Model):
    """One step of a plan's workflow: who moved it, from what, to what, when (append-only)."""

    plan = models.ForeignKey(TrainingPlan, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(
        _("previous status"), max_length=16, choices=TrainingPlan.Status.choices, blank=True
    )
    to_status = models.CharField(
        _("new status"), max_length=16, choices=TrainingPlan.Status.choices
    )
    by = user_ref()
    at = now_field(_("at"))
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("plan transition")
        verbose_name_plural = _("plan transitions")
        ordering = ["plan", "at", "id"]

    def __str__(self) -> str:
        return f"{self.plan}: {self.from_status} → {self.to_status}"


@tracked()
class PlanCaseTarget(models.Model):
    """How many cases of a modality the plan aims for."""

    plan = models.ForeignKey(TrainingPlan, on_delete=models.CASCADE, related_name="case_targets")
    modality = models.CharField(_("modality"), max_length=8, choices=Modality.choices)
    target = models.PositiveIntegerField(_("target count"))

    class Meta:
        verbose_name = _("case-log target")
        verbose_name_plural = _("case-log targets")
        constraints = [
            unique(
                ["plan", "modality"],
                "programs_case_target_unique",
                _("The plan already has a target for this modality."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_modality_display()}: {self.target}"


def evidence_path(instance: Any, filename: str) -> str:
    return f"evidence/{timezone.now():%Y/%m}/{instance.student_id}-{filename[-80:]}"


class MilestoneQuerySet(VisibleByStudent):
    def visible_to(self, user: Any) -> Any:
        from ..scopes import milestone_filter

        return self.filter(milestone_filter(user))

    def overdue(self, on: Any = None) -> MilestoneQuerySet:
        return self.filter(completed_on__isnull=True, due_date__lt=on or timezone.localdate())


@tracked()
class Milestone(models.Model):
    """A milestone of one student, instantiated from the program's template."""

    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="milestones")
    template = optional_fk(MilestoneTemplate, on_delete=models.SET_NULL, related_name="milestones")
    kind = models.CharField(_("kind"), max_length=32, choices=MilestoneTemplate.Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    due_date = models.DateField(_("due date"))
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    evidence = models.TextField(_("evidence"), blank=True)
    evidence_file = models.FileField(_("evidence file"), upload_to=evidence_path, blank=True)
    signed_off_by = actor_field()
    signed_off_at = moment_field(_("signed off at"))

    objects = MilestoneQuerySet.as_manager()

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["student", "due_date", "id"]
        indexes = [
            models.Index(fields=["student", "due_date", "id"], name="programs_milestone_order_idx"),
            models.Index(
                fields=["due_date"],
                condition=Q(completed_on__isnull=True),
                name="programs_milestone_open_idx",
            ),
        ]
        constraints = [
            unique(
                ["student", "template"],
                "programs_milestone_template_once",
                _("The student already has this milestone."),
                condition=Q(template__isnull=False),
            ),
            check(
                Q(signed_off_at__isnull=True)
                | Q(signed_off_by__isnull=False, completed_on__isnull=False),
                "programs_milestone_signoff_complete",
                _("A signed-off milestone needs who signed it off and when it was completed."),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class _Count(models.Subquery):
    """COUNT(*) of a correlated queryset, as an integer column of the outer query."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) _counted)"
    output_field = models.IntegerField()
    empty_result_set_value = 0


class PlacementQuerySet(VisibleByStudent):
    def visible_to(self, user: Any) -> Any:
        from ..scopes import placement_ids_visible_to

        return self.filter(pk__in=placement_ids_visible_to(user))

    def taking_places(self) -> Any:
        """Placements that occupy one of the host's places: planned or active."""
        return self.filter(status__in=(Placement.Status.PLANNED, Placement.Status.ACTIVE))

    def overlapping(self, start: Any, end: Any) -> Any:
        return self.filter(start_date__lte=end, end_date__gte=start)

    def with_capacity(self) -> Any:
        """Annotate `places_offered` (None when the host is not a partner of the student's
        program) and `places_used` (planned and active placements of that program at that
        host overlapping this one's period, this one included)."""
        offered = ProgramPartner.objects.filter(
            program=OuterRef("student__program"), organization=OuterRef("host")
        ).values("places_offered")[:1]
        used = (
            Placement.objects.taking_places()
            .filter(
                host=OuterRef("host"),
                student__program=OuterRef("student__program"),
                start_date__lte=OuterRef("end_date"),
                end_date__gte=OuterRef("start_date"),
            )
            .values("pk")
        )
        return self.annotate(places_offered=models.Subquery(offered), places_used=_Count(used))


@tracked()
class Placement(models.Model):
    """A student's clinical or enterprise placement with a host organisation."""

    Status = PlacementStatus

    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="placements")
    host = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="placements")
    practice_tutor = optional_fk(TutorProfile, on_delete=models.SET_NULL, related_name="placements")
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    objectives = models.TextField(_("objectives"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PLANNED
    )
    confirmed_by = actor_field()
    confirmed_at = moment_field(_("confirmed at"))
    #: Why the placement was planned or started beyond the places the host offers.
    capacity_override_reason = models.TextField(_("reason for exceeding capacity"), blank=True)
    #: The host's short evaluation at completion (the host's coordinator or practice tutor).
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    host_evaluation = models.TextField(_("host's evaluation"), blank=True)
    completed_by = actor_field()
    completed_at = moment_field(_("completed at"))
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    cancelled_by = actor_field()
    cancelled_at = moment_field(_("cancelled at"))

    objects = PlacementQuerySet.as_manager()

    class Meta:
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        ordering = ["-start_date", "id"]
        indexes = [models.Index(fields=["host", "status"])]
        constraints = [
            period_check(
                "programs_placement_period_order", _("A placement cannot end before it starts.")
            ),
            check(
                in_range("rating", 1, 5, optional=True),
                "programs_placement_rating_range",
                _("The rating must be between 1 and 5."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student} @ {self.host}"


class ProgressLogQuerySet(VisibleByStudent):
    def visible_to(self, user: Any) -> Any:
        from ..scopes import progress_log_filter

        return self.filter(progress_log_filter(user))


@tracked()
class ProgressLog(models.Model):
    """A tutor's record of a supervision contact with a student."""

    Kind = ProgressLogKind

    EDIT_WINDOW_HOURS = 48

    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="progress_logs")
    author = user_ref(related_name="authored_logs")
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    minutes = models.PositiveIntegerField(_("minutes"))
    summary = models.TextField(_("summary"))
    shared = models.BooleanField(_("shared with the student"), default=True)
    milestone = optional_fk(Milestone, on_delete=models.SET_NULL, related_name="logs")
    project = optional_fk(Project, on_delete=models.SET_NULL, related_name="logs")
    placement = optional_fk(Placement, on_delete=models.SET_NULL, related_name="logs")
    created_at = now_field(_("created at"))
    acknowledged_at = moment_field(_("acknowledged at"))
    student_comment = models.TextField(_("student's comment"), blank=True)
    confirmed_by = actor_field()
    confirmed_at = moment_field(_("confirmed at"))

    objects = ProgressLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("progress log")
        verbose_name_plural = _("progress logs")
        ordering = ["-date", "-id"]
        # The API pages through them by (date, id) in each scope (`api.pagination.CursorPage`).
        indexes = [
            models.Index(fields=["-date", "-id"], name="programs_log_newest_idx"),
            models.Index(fields=["student", "-date", "-id"], name="programs_log_student_idx"),
            models.Index(fields=["author", "-date", "-id"], name="programs_log_author_idx"),
        ]
        constraints = [
            check(
                in_range("minutes", 1, 24 * 60),
                "programs_log_minutes_range",
                _("Minutes must be between 1 and 1440."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.student} {self.date} ({self.get_kind_display()})"

    def editable_until(self) -> Any:
        return self.created_at + dt.timedelta(hours=self.EDIT_WINDOW_HOURS)


class ProgressLogCorrection(models.Model):
    """Appended to a progress log after its edit window closed (append-only)."""

    log = models.ForeignKey(ProgressLog, on_delete=models.CASCADE, related_name="corrections")
    author = user_ref()
    text = models.TextField(_("correction"))
    created_at = now_field(_("created at"))

    class Meta:
        verbose_name = _("correction")
        verbose_name_plural = _("corrections")
        ordering = ["log", "created_at"]

    def __str__(self) -> str:
        return self.text[:60]


class CaseLogQuerySet(VisibleByStudent):
    def counted(self) -> Any:
        """The cases that count towards totals: all but the rejected ones."""
        return self.filter(rejected_at__isnull=True)

    def totals_by_modality(self) -> Any:
        return (
            self.counted()
            .values("modality")
            .annotate(total=models.Sum("count"))
            .order_by("modality")
        )


class CaseLogVisibility(CaseLogQuerySet):
    def visible_to(self, user: Any) -> Any:
        from ..scopes import case_log_filter

        return self.filter(case_log_filter(user))


@tracked()
class CaseLog(models.Model):
    """Cases of one imaging modality a student took part in, verified by the practice tutor."""

    Modality = Modality
    Role = CaseLogRole

    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="case_logs")
    date = models.DateField(_("date"))
    modality = models.CharField(_("modality"), max_length=8, choices=Modality.choices)
    procedure = models.CharField(_("procedure or task"), max_length=200)
    count = models.PositiveIntegerField(_("count"))
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    placement = optional_fk(Placement, on_delete=models.SET_NULL, related_name="case_logs")
    progress_log = optional_fk(ProgressLog, on_delete=models.SET_NULL, related_name="case_logs")
    recorded_by = user_ref()
    verified_by = actor_field()
    verified_at = moment_field(_("verified at"))
    #: The verifying tutor's open question (cleared when the student answers or corrects).
    query = models.TextField(_("question"), blank=True)
    queried_at = moment_field(_("queried at"))
    answer = models.TextField(_("answer"), blank=True)
    rejection_reason = models.TextField(_("reason for rejecting"), blank=True)
    rejected_by = actor_field()
    rejected_at = moment_field(_("rejected at"))

    objects = CaseLogVisibility.as_manager()

    class Meta:
        verbose_name = _("case log")
        verbose_name_plural = _("case logs")
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["student", "modality"]),
            models.Index(fields=["-date", "-id"], name="programs_case_newest_idx"),
            models.Index(fields=["student", "-date", "-id"], name="programs_case_student_idx"),
        ]
        constraints = [
            check(
                in_range("count", 1, 1000),
                "programs_case_count_range",
                _("The count must be between 1 and 1000."),
            ),
            check(
                Q(verified_at__isnull=True) | Q(rejected_at__isnull=True),
                "programs_case_verified_or_rejected",
                _("A case cannot be both verified and rejected."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_modality_display()}: {self.count}"

    @property
    def review_state(self) -> str:
        """verified, rejected, queried (waiting for the student) or pending (for the tutor)."""
        if self.verified_at is not None:
            return "verified"
        if self.rejected_at is not None:
            return "rejected"
        return "queried" if self.queried_at is not None else "pending"
