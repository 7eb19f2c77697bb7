"""External supervision: inspections (scheduled or unannounced) with their checklist, sample,
observations and evidence, the checklist templates, and the double random draw. Inspectors
and their assignments are in `inspectors`; the report, the right of reply and publication in
`inspection_reports`.

Secrecy of unannounced inspections is a matter of the read boundary: every QuerySet's
`visible_to(user)` hides an unannounced inspection, and everything hanging from it, from the
inspected side until it starts (see `supervision.inspections.permissions`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programs.models import Organization, Program, Student
from training_portal.core import draw as draw_algorithm
from training_portal.core.history import tracked
from training_portal.core.model_fields import (
    actor_field,
    check,
    explained_when,
    moment_field,
    now_field,
    one_of,
    optional_fk,
    unique,
    user_ref,
)

from ..choices import ChecklistItemResult, DrawTargetKind, InspectionStatus, InspectionType

#: The default length of the right-of-reply window, in days.
DEFAULT_REPLY_DAYS = 10
#: The version of the draw algorithm (`supervision.inspections.draw`); a draw records it.
DRAW_ALGORITHM = draw_algorithm.ALGORITHM


# ---- Checklist templates ---------------------------------------------------------------------


@tracked()
class ChecklistTemplate(models.Model):
    """The checklist an inspection of a type starts from (managed by administrators)."""

    inspection_type = models.CharField(
        _("inspection type"), max_length=16, choices=InspectionType.choices, unique=True
    )
    title = models.CharField(_("title"), max_length=200)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("checklist template")
        verbose_name_plural = _("checklist templates")
        ordering = ["inspection_type"]

    def __str__(self) -> str:
        return self.title


@tracked()
class ChecklistTemplateItem(models.Model):
    """One question of a checklist template, in a section."""

    template = models.ForeignKey(ChecklistTemplate, on_delete=models.CASCADE, related_name="items")
    section = models.CharField(_("section"), max_length=120)
    text = models.CharField(_("question"), max_length=500)
    guidance = models.TextField(_("guidance"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("checklist question")
        verbose_name_plural = _("checklist questions")
        ordering = ["template", "position", "id"]

    def __str__(self) -> str:
        return self.text


# ---- The double random draw ------------------------------------------------------------------


class DrawQuerySet(models.QuerySet["Draw"]):
    def visible_to(self, user: Any) -> DrawQuerySet:
        from ..inspections.permissions import draw_filter

        return self.filter(draw_filter(user))


class Draw(models.Model):
    """A double random draw of targets (with students within them) and inspectors.

    Everything needed to re-run it is stored: the seed, the inputs (candidate lists in a
    canonical order, the numbers drawn, the conflicts that excluded inspectors) and the
    algorithm's version; the result is what the algorithm gave. A draw is never changed;
    drawing again makes a new draw that names the one it replaces and why.
    """

    TargetKind = DrawTargetKind

    public_id = models.UUIDField(_("public identifier"), default=uuid.uuid4, unique=True)
    target_kind = models.CharField(_("targets"), max_length=16, choices=TargetKind.choices)
    inspection_type = models.CharField(
        _("inspection type"), max_length=16, choices=InspectionType.choices
    )
    unannounced = models.BooleanField(_("unannounced"), default=False)
    seed = models.CharField(_("seed"), max_length=64)
    algorithm = models.CharField(_("algorithm"), max_length=32, default=DRAW_ALGORITHM)
    #: targets, students per target, inspectors per target, the candidates, the conflicts.
    inputs = models.JSONField(_("inputs"))
    #: per target: the students and inspectors drawn; and the recusals (who, why).
    result = models.JSONField(_("result"))
    replaces = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by",
        verbose_name=_("replaces"),
    )
    replace_reason = models.TextField(_("why it was drawn again"), blank=True)
    drawn_by = user_ref(_("drawn by"))
    drawn_at = now_field(_("drawn at"))

    objects = DrawQuerySet.as_manager()

    class Meta:
        verbose_name = _("draw")
        verbose_name_plural = _("draws")
        ordering = ["-drawn_at", "-id"]
        constraints = [
            check(
                Q(replaces__isnull=True) | ~Q(replace_reason=""),
                "supervision_draw_redo_explained",
                _("Drawing again needs a reason."),
            )
        ]

    def __str__(self) -> str:
        return str(self.public_id)

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("A draw is never changed; draw again with a reason.")
        super().save(*args, **kwargs)


# ---- Inspections -----------------------------------------------------------------------------


class InspectionQuerySet(models.QuerySet["Inspection"]):
    def visible_to(self, user: Any) -> InspectionQuerySet:
        from ..inspections.permissions import inspection_filter

        return self.filter(inspection_filter(user))

    def revealed(self, now: dt.datetime | None = None) -> InspectionQuerySet:
        """Inspections the inspected side may know of: announced ones, and unannounced ones
        that have started (unless cancelled before the inspected side was told)."""
        from ..inspections.permissions import revealed_filter

        return self.filter(revealed_filter(now=now))


@tracked()
class Inspection(models.Model):
    """An inspection of one program or one organisation by external inspectors."""

    Status = InspectionStatus

    title = models.CharField(_("title"), max_length=200)
    inspection_type = models.CharField(
        _("inspection type"), max_length=16, choices=InspectionType.choices
    )
    program = optional_fk(
        Program, _("program"), on_delete=models.PROTECT, related_name="inspections"
    )
    organization = optional_fk(
        Organization, _("organisation"), on_delete=models.PROTECT, related_name="inspections"
    )
    unannounced = models.BooleanField(
        _("unannounced"),
        default=False,
        help_text=_("Its existence and date stay hidden from the inspected side until it starts."),
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_on = models.DateField(_("ends on"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PLANNED
    )
    inspectors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="InspectionTeamMember",
        related_name="inspections",
        verbose_name=_("inspectors"),
    )
    draw = optional_fk(Draw, _("draw"), on_delete=models.PROTECT, related_name="inspections")
    scope_note = models.TextField(_("scope"), blank=True)
    reply_days = models.PositiveSmallIntegerField(
        _("reply window (days)"),
        default=DEFAULT_REPLY_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    reply_opens_at = moment_field(_("reply window opens"))
    reply_closes_at = moment_field(_("reply window closes"))
    publication_requested_by = actor_field(_("publication requested by"))
    publication_requested_at = moment_field(_("publication requested at"))
    created_by = user_ref(_("created by"))
    created_at = now_field(_("created at"))
    cancel_reason = models.TextField(_("why it was cancelled"), blank=True)
    #: When the inspected side was told an unannounced inspection has started (once).
    start_notice_sent_at = moment_field(_("start notice sent at"))
    #: For a correction of a published report: what the next version changes.
    correction_note = models.TextField(_("what the correction changes"), blank=True)

    objects = InspectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-starts_at", "-id"]
        indexes = [
            models.Index(fields=["program", "status"]),
            models.Index(fields=["organization", "status"]),
            models.Index(fields=["unannounced", "starts_at"]),
        ]
        constraints = [
            check(
                one_of("program", "organization"),
                "supervision_inspection_one_target",
                _("An inspection is of either one program or one organisation."),
            ),
            check(
                explained_when("cancel_reason", status="cancelled"),
                "supervision_inspection_cancel_explained",
                _("Cancelling an inspection needs a reason."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def target(self) -> Program | Organization:
        target = self.program or self.organization
        assert target is not None
        return target

    def has_started(self, now: dt.datetime | None = None) -> bool:
        return self.starts_at <= (now or timezone.now())

    def is_revealed(self, now: dt.datetime | None = None) -> bool:
        """May the inspected side know of it? (The same rule as `revealed()`.)"""
        if not self.unannounced:
            return True
        told = self.status != self.Status.CANCELLED or self.start_notice_sent_at is not None
        return self.has_started(now) and told

    def reply_window_open(self, now: dt.datetime | None = None) -> bool:
        now = now or timezone.now()
        return (
            self.status == self.Status.IN_REPLY
            and self.reply_opens_at is not None
            and self.reply_closes_at is not None
            and self.reply_opens_at <= now < self.reply_closes_at
        )


class InspectionTeamMember(models.Model):
    """An inspector on an inspection; the author writes the report."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="team")
    inspector = user_ref()
    is_author = models.BooleanField(_("writes the report"), default=False)

    class Meta:
        verbose_name = _("inspection team member")
        verbose_name_plural = _("inspection team members")
        constraints = [
            unique(
                ["inspection", "inspector"],
                "supervision_team_once",
                _("This inspector is already on the team."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.inspection_id}:{self.inspector_id}"


@tracked()
class ChecklistItem(models.Model):
    """A checklist question of one inspection (copied from the template) and its answer."""

    Result = ChecklistItemResult

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="checklist")
    section = models.CharField(_("section"), max_length=120)
    text = models.CharField(_("question"), max_length=500)
    guidance = models.TextField(_("guidance"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    result = models.CharField(
        _("result"), max_length=16, choices=Result.choices, default=Result.PENDING
    )
    note = models.TextField(_("note"), blank=True)
    checked_by = actor_field(_("checked by"), on_delete=models.SET_NULL)
    checked_at = moment_field(_("checked at"))

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["inspection", "position", "id"]

    def __str__(self) -> str:
        return self.text


class SampledStudent(models.Model):
    """A student drawn at random for the inspectors to examine."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="sample")
    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    examined = models.BooleanField(_("examined"), default=False)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("sampled student")
        verbose_name_plural = _("sampled students")
        ordering = ["inspection", "position"]
        constraints = [
            unique(
                ["inspection", "student"],
                "supervision_sample_once",
                _("This student is already in the sample."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.inspection_id}:{self.student_id}"


@tracked()
class Observation(models.Model):
    """What an inspector saw, about the inspection, a checklist question or a sampled
    student."""

    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, related_name="observations"
    )
    checklist_item = optional_fk(
        ChecklistItem,
        _("checklist question"),
        on_delete=models.SET_NULL,
        related_name="observations",
    )
    sampled_student = optional_fk(
        SampledStudent, _("sampled student"), on_delete=models.SET_NULL, related_name="observations"
    )
    text = models.TextField(_("observation"))
    author = user_ref()
    created_at = now_field(_("created at"))

    class Meta:
        verbose_name = _("observation")
        verbose_name_plural = _("observations")
        ordering = ["inspection", "created_at", "id"]

    def __str__(self) -> str:
        return self.text[:60]


def evidence_path(instance: EvidenceFile, filename: str) -> str:
    return f"inspections/{instance.inspection_id}/{uuid.uuid4().hex}/{filename}"


class EvidenceFile(models.Model):
    """A file the inspectors collected (a document, a photo), private to the inspection."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="evidence")
    observation = optional_fk(
        Observation, _("observation"), on_delete=models.SET_NULL, related_name="files"
    )
    file = models.FileField(_("file"), upload_to=evidence_path)
    name = models.CharField(_("name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = user_ref()
    uploaded_at = now_field(_("uploaded at"))

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        ordering = ["inspection", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.name
