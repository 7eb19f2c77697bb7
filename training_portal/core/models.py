"""Background jobs: one row per long-running task, written by the task itself."""

from __future__ import annotations

import uuid
from pathlib import PurePath
from typing import Any

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .model_fields import check, moment_field, now_field, user_ref
from .texts import render_text


def job_file_path(instance: Job, filename: str) -> str:
    # A random folder per file: names are never guessable and never collide.
    name = PurePath(filename).name[-100:] or "file"
    return f"jobs/{timezone.now():%Y/%m}/{uuid.uuid4().hex}/{name}"


class JobQuerySet(models.QuerySet["Job"]):
    def visible_to(self, user: Any) -> JobQuerySet:
        """Owners see their jobs; portal administrators see every job."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_portal_admin:
            return self.all()
        return self.filter(owner=user)

    def unfinished(self) -> JobQuerySet:
        return self.filter(status__in=[Job.Status.QUEUED, Job.Status.RUNNING])

    def stale(self, before: Any) -> JobQuerySet:
        """Running jobs whose worker has not reported since `before`."""
        return self.filter(status=Job.Status.RUNNING, heartbeat_at__lt=before)


class Job(models.Model):
    """One long-running task: what it is, who started it, how far it got, what it produced."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    FINISHED = (Status.SUCCEEDED, Status.FAILED)

    kind = models.CharField(_("kind"), max_length=64, db_index=True)
    owner = user_ref(
        _("owner"), on_delete=models.SET_NULL, related_name="jobs", null=True, blank=True
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    progress_done = models.PositiveIntegerField(_("done"), default=0)
    progress_total = models.PositiveIntegerField(_("total"), default=0)
    # The message and error are stored as a catalogued id and parameters (rendered when
    # read, in the reader's language; training_portal.core.texts) and as text (a fallback).
    message = models.CharField(_("message"), max_length=255, blank=True)
    message_id = models.CharField(_("message id"), max_length=100, blank=True)
    message_params = models.JSONField(_("message parameters"), default=dict, blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    input_file = models.FileField(_("input file"), upload_to=job_file_path, blank=True)
    input_name = models.CharField(_("input file name"), max_length=255, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    result_file = models.FileField(_("result file"), upload_to=job_file_path, blank=True)
    error = models.TextField(_("error"), blank=True)
    error_id = models.CharField(_("error id"), max_length=100, blank=True)
    error_params = models.JSONField(_("error parameters"), default=dict, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    started_at = moment_field(_("started at"))
    heartbeat_at = moment_field(_("last heartbeat"))
    finished_at = moment_field(_("finished at"))

    objects = JobQuerySet.as_manager()

    class Meta:
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "-created_at"])]
        constraints = [
            check(
                Q(progress_total=0) | Q(progress_done__lte=F("progress_total")),
                "core_job_progress_within_total",
                _("Progress cannot exceed the total."),
            ),
            check(
                ~Q(status__in=["succeeded", "failed"]) | Q(finished_at__isnull=False),
                "core_job_finished_has_time",
                _("A finished job needs its finishing time."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind_label} #{self.pk}"

    @property
    def kind_label(self) -> str:
        from .jobs import job_kind_label

        return job_kind_label(self.kind)

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def display_message(self) -> str:
        """The message in the active language (the stored text if its id is gone)."""
        return render_text(self.message_id, self.message_params, self.message)

    @property
    def display_error(self) -> str:
        return render_text(self.error_id, self.error_params, self.error)

    @property
    def percent(self) -> int:
        if self.status == self.Status.SUCCEEDED:
            return 100
        if not self.progress_total:
            return 0
        return min(100, int(self.progress_done * 100 / self.progress_total))


class NotificationQuerySet(models.QuerySet["Notification"]):
    def visible_to(self, user: Any) -> NotificationQuerySet:
        """Notifications are personal: only their recipient sees them."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(recipient=user)

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """A message to one user, shown in the portal and (optionally) e-mailed after commit."""

    recipient = user_ref(_("recipient"), on_delete=models.CASCADE, related_name="notifications")
    # Title and body as rendered for the recipient when sent (a fallback), and as ids and
    # parameters (catalogued messages or templates) rendered again when read, in the reader's
    # current language.
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    title_id = models.CharField(_("title id"), max_length=100, blank=True)
    title_params = models.JSONField(_("title parameters"), default=dict, blank=True)
    message_id = models.CharField(_("message id"), max_length=100, blank=True)
    message_params = models.JSONField(_("message parameters"), default=dict, blank=True)
    link = models.CharField(_("link"), max_length=500, blank=True)
    created_at = now_field(_("created at"))
    read_at = moment_field(_("read at"))
    email_requested = models.BooleanField(_("e-mail requested"), default=False)
    emailed_at = moment_field(_("e-mailed at"))

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["recipient", "-created_at"],
                name="core_notif_unread_idx",
                condition=Q(read_at__isnull=True),
            ),
            models.Index(fields=["recipient", "-created_at"], name="core_notif_recipient_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @property
    def display_title(self) -> str:
        return render_text(self.title_id, self.title_params, self.title)

    @property
    def display_body(self) -> str:
        return render_text(self.message_id, self.message_params, self.body)


class SeedRecord(models.Model):
    """That a piece of demo data was loaded once: a seeder with a record does nothing again.

    Demo rows are never looked up by values users can also create (a case log by its
    procedure, a project by its title...): once the portal is in use such lookups find the
    users' rows too. The record is the only thing a later start asks about."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    seeded_at = now_field(_("seeded at"))
    #: How the record came about: "seeded", or "found" for demo data of an older version
    #: loaded before records existed (recognised by a demo-only key, left as it is).
    origin = models.CharField(_("origin"), max_length=16, default="seeded")

    class Meta:
        verbose_name = _("demo data record")
        verbose_name_plural = _("demo data records")
        ordering = ["seeded_at", "id"]

    def __str__(self) -> str:
        return self.name
