"""The audit: rule settings (global and per program), runs split into chunks, findings.

Every finding belongs to exactly one program (its partition): a chunk of a run is one rule
over one program, and it alone creates, updates, reopens and closes that rule's findings of
that program. This makes a chunk idempotent and lets chunks run on many workers at once.
"""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programs.models import Organization, Program, Student
from training_portal.core.history import tracked
from training_portal.core.model_fields import (
    check,
    explained_when,
    moment_field,
    now_field,
    optional_fk,
    ref,
    unique,
    user_ref,
)
from training_portal.core.models import Job

from ..choices import FindingStatus, Severity

#: Order of severities, for sorting and "at least" filters.
SEVERITY_RANK = {Severity.INFO: 0, Severity.MINOR: 1, Severity.MAJOR: 2, Severity.CRITICAL: 3}


def severity_rank_of(severity: str) -> int:
    """The stored rank of `severity` (-1 for none known, below info)."""
    return SEVERITY_RANK.get(severity, -1)  # type: ignore[call-overload]


#: Most severe first.
SEVERITIES = [Severity.CRITICAL, Severity.MAJOR, Severity.MINOR, Severity.INFO]
#: The statuses of a finding that still needs work (`Finding.ACTIVE`).
ACTIVE_STATUSES = (FindingStatus.OPEN, FindingStatus.ACKNOWLEDGED, FindingStatus.IN_REMEDIATION)
#: What program administrators are told about on their home page.
SERIOUS = [Severity.CRITICAL, Severity.MAJOR]


@tracked()
class RuleSetting(models.Model):
    """An administrator's settings of one rule: portal-wide (no program) or for one program.

    A program's setting overrides the portal-wide one field by field: `enabled`, `severity`
    (blank: keep) and each threshold present in `thresholds`.
    """

    rule = models.CharField(_("rule"), max_length=64)
    program = optional_fk(
        Program, _("program"), on_delete=models.CASCADE, related_name="rule_settings"
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices, blank=True)
    thresholds = models.JSONField(_("thresholds"), default=dict, blank=True)
    updated_by = user_ref(on_delete=models.SET_NULL, null=True)
    updated_at = now_field(_("updated at"))

    class Meta:
        verbose_name = _("rule setting")
        verbose_name_plural = _("rule settings")
        ordering = ["rule", "program_id"]
        constraints = [
            unique(
                ["rule"], "supervision_rulesetting_one_global", condition=Q(program__isnull=True)
            ),
            unique(["rule", "program"], "supervision_rulesetting_one_per_program"),
        ]

    def __str__(self) -> str:
        return f"{self.rule} ({self.program or _('portal-wide')})"


class ScheduleChange(models.Model):
    """A change of the nightly audit's schedule (Celery beat's tables keep no history of their
    own): the time and whether it runs, who changed it and when. The settings page says who
    changed it last, in the reader's language."""

    hour = models.PositiveSmallIntegerField(_("hour"))
    minute = models.PositiveSmallIntegerField(_("minute"))
    enabled = models.BooleanField(_("enabled"))
    changed_by = user_ref(_("changed by"), on_delete=models.SET_NULL, null=True)
    changed_at = now_field(_("changed at"))

    class Meta:
        verbose_name = _("nightly audit schedule change")
        verbose_name_plural = _("nightly audit schedule changes")
        ordering = ["-changed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.hour:02d}:{self.minute:02d} ({self.changed_at:%Y-%m-%d %H:%M})"


class AuditRunQuerySet(models.QuerySet["AuditRun"]):
    def visible_to(self, user: Any) -> AuditRunQuerySet:
        from ..audits.permissions import audit_run_filter

        return self.filter(audit_run_filter(user))


class AuditRun(models.Model):
    """One audit: the whole portal or one program, all enabled rules or some; a job runs it."""

    program = optional_fk(
        Program, _("program"), on_delete=models.CASCADE, related_name="audit_runs"
    )
    rules = models.JSONField(_("rules"), default=list, blank=True)
    started_by = user_ref(_("started by"), on_delete=models.SET_NULL, null=True, blank=True)
    schedule = models.CharField(_("schedule"), max_length=200, blank=True)
    #: The day the rules look from (fixed at the start, so that a resumed run agrees).
    as_of = models.DateField(_("as of"), default=timezone.localdate)
    job = models.OneToOneField(Job, on_delete=models.PROTECT, related_name="audit_run")
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    finished_at = moment_field(_("finished at"))
    #: Per rule: found, new, reopened, gone (filled when the run ends).
    counts = models.JSONField(_("counts"), default=dict, blank=True)

    objects = AuditRunQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit run")
        verbose_name_plural = _("audit runs")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return str(_("Audit run #%(id)s")) % {"id": self.pk}


class AuditChunk(models.Model):
    """One rule over one program within a run; done once, whatever the deliveries."""

    run = models.ForeignKey(AuditRun, on_delete=models.CASCADE, related_name="chunks")
    rule = models.CharField(_("rule"), max_length=64)
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    done_at = moment_field(_("done at"))
    found = models.PositiveIntegerField(_("found"), default=0)
    new = models.PositiveIntegerField(_("new"), default=0)
    reopened = models.PositiveIntegerField(_("reopened"), default=0)
    gone = models.PositiveIntegerField(_("gone"), default=0)

    class Meta:
        verbose_name = _("audit chunk")
        verbose_name_plural = _("audit chunks")
        constraints = [unique(["run", "rule", "program"], "supervision_chunk_once_per_run")]
        indexes = [models.Index(fields=["run", "done_at"])]

    def __str__(self) -> str:
        return f"{self.run_id}:{self.rule}:{self.program_id}"


class FindingQuerySet(models.QuerySet["Finding"]):
    def visible_to(self, user: Any) -> FindingQuerySet:
        from ..findings.permissions import finding_filter

        return self.filter(finding_filter(user))

    def active(self) -> FindingQuerySet:
        return self.filter(status__in=Finding.ACTIVE)


def _finding_history() -> Any:
    import pghistory

    # Runs refresh last_seen_* on every finding they see again: that is not a change worth
    # a history row; status, assignment, notes and the facts are. The severity rank only
    # shadows the severity.
    quiet = ["last_seen_run", "last_seen_at", "severity_rank"]
    return pghistory.track(
        pghistory.InsertEvent(),
        pghistory.UpdateEvent(condition=pghistory.AnyChange(exclude=quiet)),
        pghistory.DeleteEvent(),
        exclude=quiet,
    )


@_finding_history()
class Finding(models.Model):
    """A problem an audit rule found, kept once per fingerprint across runs; or one an
    inspector recorded during an inspection (same life, same lists)."""

    Status = FindingStatus

    #: The rule code of findings recorded by inspectors.
    INSPECTION_RULE = "inspection"

    #: The statuses of a finding that still needs work.
    ACTIVE = ACTIVE_STATUSES

    # Few indexes, on purpose: every audit run writes each finding it sees again, and each
    # index costs every write. The composite indexes below serve the lookups by rule, program,
    # organisation, student and tutor (they lead with those columns), so the columns carry no
    # index of their own.
    rule = models.CharField(_("rule"), max_length=64)
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices)
    #: `SEVERITY_RANK` of `severity`, stored so that "most severe first" reads an index rather
    #: than sorting every finding by an expression; set by `save()` and by the audit engine's
    #: bulk upserts (`severity_rank_of`), the two places a severity is written.
    severity_rank = models.SmallIntegerField(_("severity rank"), default=-1, editable=False)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN
    )
    fingerprint = models.CharField(_("fingerprint"), max_length=64)
    program = ref(
        Program, _("program"), on_delete=models.CASCADE, related_name="findings", db_index=False
    )
    organization = optional_fk(
        Organization,
        _("organisation"),
        on_delete=models.CASCADE,
        related_name="findings",
        db_index=False,
    )
    student = optional_fk(
        Student, _("student"), on_delete=models.CASCADE, related_name="findings", db_index=False
    )
    tutor = user_ref(
        _("tutor"),
        on_delete=models.CASCADE,
        related_name="findings_about_me",
        null=True,
        blank=True,
        db_index=False,
    )
    subject_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    subject_id = models.PositiveBigIntegerField(_("subject"))
    #: The values the message is written from (translated when shown).
    details = models.JSONField(_("details"), default=dict, blank=True)
    #: The facts that triggered it: key → value, labelled by the rule when shown.
    evidence = models.JSONField(_("evidence"), default=dict, blank=True)
    first_seen_run = models.ForeignKey(
        AuditRun, on_delete=models.SET_NULL, null=True, related_name="+", db_index=False
    )
    last_seen_run = models.ForeignKey(
        AuditRun, on_delete=models.SET_NULL, null=True, related_name="+", db_index=False
    )
    first_seen_at = now_field(_("first found"))
    last_seen_at = now_field(_("last found"))
    #: When a run last saw the problem gone (None while it is there).
    gone_at = moment_field(_("no longer found on"))
    reopened_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    assignee = user_ref(
        _("assignee"),
        on_delete=models.SET_NULL,
        related_name="assigned_findings",
        null=True,
        blank=True,
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    corrective_action = models.TextField(_("corrective action"), blank=True)
    dismissal_justification = models.TextField(_("justification for dismissal"), blank=True)
    resolved_at = moment_field(_("resolved at"))
    #: Set when an inspector recorded it (its rule is then `INSPECTION_RULE`); audit runs
    #: never touch such findings.
    inspection = optional_fk(
        "supervision.Inspection", _("inspection"), on_delete=models.PROTECT, related_name="findings"
    )
    author = user_ref(
        _("recorded by"), on_delete=models.SET_NULL, null=True, blank=True, db_index=False
    )

    objects = FindingQuerySet.as_manager()

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["-last_seen_at", "-id"]
        indexes = [
            models.Index(fields=["rule", "program", "status"]),
            # The list's default order (most severe first, then last found) within a program
            # and status; and, for the portal administrators' list of all findings needing
            # work, the same order over the active ones.
            models.Index(
                fields=["program", "status", "-severity_rank", "-last_seen_at", "-id"],
                name="supervision_finding_rank",
            ),
            models.Index(
                fields=["-severity_rank", "-last_seen_at", "-id"],
                condition=Q(status__in=ACTIVE_STATUSES),
                name="supervision_finding_rank_act",
            ),
            models.Index(fields=["organization", "status"]),
            models.Index(fields=["student", "status"]),
            models.Index(fields=["tutor", "status"]),
        ]
        constraints = [
            # A constraint rather than unique=True: the same unique index, without the
            # pattern-matching copy Django adds for unique text columns on PostgreSQL.
            unique(
                ["fingerprint"],
                "supervision_finding_fingerprint_unique",
                _("A finding with this fingerprint already exists."),
            ),
            check(
                explained_when("dismissal_justification", status="dismissed"),
                "supervision_finding_dismissal_justified",
                _("A dismissed finding needs a justification."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule} #{self.pk}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.severity_rank = severity_rank_of(self.severity)
        fields = kwargs.get("update_fields")
        if fields is not None and "severity" in fields:
            kwargs["update_fields"] = {*fields, "severity_rank"}
        super().save(*args, **kwargs)

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE
