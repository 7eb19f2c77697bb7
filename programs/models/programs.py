"""A program and its four elements: objectives, process, curriculum, quality assessment."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from training_portal.core.history import tracked
from training_portal.core.model_fields import (
    check,
    explained_when,
    in_range,
    now_field,
    optional_fk,
    period_check,
    ref,
    retired_at_field,
    status_change_check,
    unique,
    user_ref,
)

from ..choices import (
    CourseCategory,
    MilestoneTemplateKind,
    ProgramCourseRequirement,
    ProgramDegreeType,
    ProgramStatus,
    Responsibility,
    StageKind,
)
from .organizations import Organization


class ProgramQuerySet(models.QuerySet["Program"]):
    def visible_to(self, user: Any) -> ProgramQuerySet:
        from ..scopes import program_ids_visible_to

        return self.filter(pk__in=program_ids_visible_to(user))

    def active(self) -> ProgramQuerySet:
        return self.filter(status=Program.Status.ACTIVE)


@tracked()
class Program(models.Model):
    """A collaborative master's training program."""

    DegreeType = ProgramDegreeType
    Status = ProgramStatus

    code = models.CharField(_("code"), max_length=32, unique=True)
    title = models.CharField(_("title"), max_length=200)
    discipline = models.CharField(_("discipline"), max_length=120)
    degree_type = models.CharField(_("degree type"), max_length=16, choices=DegreeType.choices)
    lead_university = ref(Organization, _("lead university"), related_name="led_programs")
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    description = models.TextField(_("description"), blank=True)
    quality_criteria = models.TextField(
        _("quality-assessment criteria"),
        blank=True,
        help_text=_("How the program's quality is assessed (indicators come with evaluation)."),
    )
    min_contacts_academic = models.PositiveSmallIntegerField(
        _("required academic-tutor contacts per month"), default=2
    )
    min_contacts_practice = models.PositiveSmallIntegerField(
        _("required practice-tutor contacts per month"), default=2
    )
    created_at = now_field(_("created at"))

    objects = ProgramQuerySet.as_manager()

    class Meta:
        verbose_name = _("program")
        verbose_name_plural = _("programs")
        ordering = ["code"]
        constraints = [
            period_check(
                "programs_program_period_order",
                _("The program cannot end before it starts."),
                open_end=True,
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class ProgramStatusChange(models.Model):
    """One step of a program's lifecycle: who took it, when and why (append-only).

    Kept as rows, not only as history events, so that the reason for reopening a closed
    program is shown on its page wherever the portal runs (history is not kept on SQLite)."""

    program = ref(Program, _("program"), on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(
        _("previous status"), max_length=16, choices=Program.Status.choices
    )
    to_status = models.CharField(_("new status"), max_length=16, choices=Program.Status.choices)
    reason = models.TextField(_("reason"), blank=True)
    changed_by = user_ref(_("changed by"), null=True)
    changed_at = now_field(_("changed at"))

    class Meta:
        verbose_name = _("program status change")
        verbose_name_plural = _("program status changes")
        ordering = ["-changed_at", "-id"]
        constraints = [
            check(
                explained_when(
                    "reason", from_status=Program.Status.CLOSED, to_status=Program.Status.ACTIVE
                ),
                "programs_program_reopen_has_reason",
                _("Reopening a closed program needs a reason."),
            ),
            status_change_check("programs_program_status_change_changes"),
        ]

    def __str__(self) -> str:
        return f"{self.program_id}: {self.from_status} → {self.to_status}"


@tracked()
class TrainingObjective(models.Model):
    """Element 1: an ordered, measurable training objective."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="objectives")
    order = models.PositiveSmallIntegerField(_("order"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("measurable description"))
    retired_at = retired_at_field()

    class Meta:
        verbose_name = _("training objective")
        verbose_name_plural = _("training objectives")
        ordering = ["program", "order"]
        constraints = [
            unique(
                ["program", "order"],
                "programs_objective_order_unique",
                _("Another objective of this program has this position."),
            ),
            unique(
                ["program", "title"],
                "programs_objective_title_unique",
                _("This program already has an objective with this title."),
            ),
        ]

    def __str__(self) -> str:
        return self.title


@tracked()
class Stage(models.Model):
    """Element 2: an ordered stage of the training process."""

    Kind = StageKind

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="stages")
    order = models.PositiveSmallIntegerField(_("order"))
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    expected_months = models.PositiveSmallIntegerField(
        _("expected length (months)"), validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    retired_at = retired_at_field()

    class Meta:
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        ordering = ["program", "order"]
        constraints = [
            unique(
                ["program", "order"],
                "programs_stage_order_unique",
                _("Another stage of this program has this position."),
            ),
            unique(
                ["program", "title"],
                "programs_stage_title_unique",
                _("This program already has a stage with this title."),
            ),
            check(
                Q(expected_months__gte=1),
                "programs_stage_length_positive",
                _("A stage lasts at least one month."),
            ),
        ]

    def __str__(self) -> str:
        return self.title


@tracked()
class MilestoneTemplate(models.Model):
    """Element 2: a milestone every student of the program reaches, due N days after enrolment."""

    Kind = MilestoneTemplateKind

    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="milestone_templates"
    )
    stage = optional_fk(
        Stage, _("stage"), on_delete=models.SET_NULL, related_name="milestone_templates"
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    due_offset_days = models.PositiveIntegerField(
        _("due (days after enrolment)"), validators=[MaxValueValidator(3650)]
    )
    retired_at = retired_at_field()

    class Meta:
        verbose_name = _("milestone template")
        verbose_name_plural = _("milestone templates")
        ordering = ["program", "due_offset_days", "id"]
        constraints = [
            unique(
                ["program", "title"],
                "programs_milestone_template_title_unique",
                _("This program already has a milestone with this title."),
            )
        ]

    def __str__(self) -> str:
        return self.title


@tracked()
class Course(models.Model):
    """Element 3: a course, which programs attach as required or elective."""

    Category = CourseCategory

    code = models.CharField(_("code"), max_length=32, unique=True)
    title = models.CharField(_("title"), max_length=200)
    credits = models.DecimalField(_("credits"), max_digits=4, decimal_places=1)
    category = models.CharField(_("category"), max_length=32, choices=CourseCategory.choices)
    integrates_ie = models.BooleanField(
        _("integrates I&E"),
        default=False,
        help_text=_("Innovation & entrepreneurship content is integrated into this course."),
    )
    delivering_organization = ref(
        Organization, _("delivering organisation"), related_name="courses"
    )
    teachers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="courses_taught",
        verbose_name=_("teachers"),
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["code"]
        constraints = [
            check(
                Q(credits__gt=0) & Q(credits__lte=20),
                "programs_course_credits_range",
                _("Credits must be more than 0 and at most 20."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def has_ie(self) -> bool:
        return self.integrates_ie or self.category == CourseCategory.INNOVATION_ENTREPRENEURSHIP


@tracked()
class ProgramCourse(models.Model):
    """A course in a program's curriculum: required or elective, in a semester."""

    Requirement = ProgramCourseRequirement

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="curriculum")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="in_programs")
    requirement = models.CharField(_("requirement"), max_length=16, choices=Requirement.choices)
    semester = models.PositiveSmallIntegerField(
        _("semester"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    retired_at = retired_at_field()

    class Meta:
        verbose_name = _("curriculum course")
        verbose_name_plural = _("curriculum")
        ordering = ["program", "semester", "course__code"]
        constraints = [
            unique(
                ["program", "course"],
                "programs_curriculum_course_unique",
                _("This course is already in the program's curriculum."),
            ),
            check(
                in_range("semester", 1, 12),
                "programs_curriculum_semester_range",
                _("The semester must be between 1 and 12."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.program.code}: {self.course}"


def agreement_path(instance: ProgramPartner, filename: str) -> str:
    return f"agreements/{instance.program_id}/{timezone.now():%Y%m%d%H%M%S}-{filename[-80:]}"


@tracked()
class ProgramPartner(models.Model):
    """An organisation's partnership in a program: agreement, capacity, responsibilities."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="partners")
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="partnerships"
    )
    agreement_start = models.DateField(_("agreement start"))
    agreement_end = models.DateField(_("agreement end"), null=True, blank=True)
    agreement_file = models.FileField(_("signed agreement"), upload_to=agreement_path, blank=True)
    places_offered = models.PositiveIntegerField(_("places offered"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("program partner")
        verbose_name_plural = _("program partners")
        ordering = ["program", "organization__name"]
        constraints = [
            unique(
                ["program", "organization"],
                "programs_partner_unique",
                _("This organisation is already a partner of the program."),
            ),
            period_check(
                "programs_partner_agreement_order",
                _("The agreement cannot end before it starts."),
                start="agreement_start",
                end="agreement_end",
                open_end=True,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} @ {self.program.code}"


@tracked()
class PartnerResponsibility(models.Model):
    """One responsibility from the fixed catalogue, held by a program partner."""

    Kind = Responsibility

    partner = models.ForeignKey(
        ProgramPartner, on_delete=models.CASCADE, related_name="responsibilities"
    )
    responsibility = models.CharField(
        _("responsibility"), max_length=32, choices=Responsibility.choices
    )

    class Meta:
        verbose_name = _("partner responsibility")
        verbose_name_plural = _("partner responsibilities")
        ordering = ["partner", "responsibility"]
        constraints = [
            unique(
                ["partner", "responsibility"],
                "programs_responsibility_unique",
                _("The partner already has this responsibility."),
            )
        ]

    def __str__(self) -> str:
        return self.get_responsibility_display()
