"""Reports: a program's annual report, a partner's scorecard, a student's training record,
made by a background job as PDF (with charts) and their data as XLSX and CSV."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from programs.models import Organization, Program, Student
from training_portal.core.model_fields import check, moment_field, now_field, optional_fk, user_ref
from training_portal.core.models import Job

from ..choices import ReportKind


class ReportQuerySet(models.QuerySet["Report"]):
    def visible_to(self, user: Any) -> ReportQuerySet:
        from ..reports.permissions import report_filter

        return self.filter(report_filter(user))


class Report(models.Model):
    """One generated report: its subject, period, files, when its inputs were read and the
    hash of its content (the same inputs give the same hash)."""

    Kind = ReportKind

    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    program = optional_fk(Program, _("program"), on_delete=models.PROTECT, related_name="reports")
    organization = optional_fk(
        Organization, _("organisation"), on_delete=models.PROTECT, related_name="reports"
    )
    student = optional_fk(Student, _("student"), on_delete=models.PROTECT, related_name="reports")
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=10, default="en")
    job = models.OneToOneField(
        Job, on_delete=models.PROTECT, related_name="report", verbose_name=_("job")
    )
    requested_by = user_ref(_("requested by"))
    created_at = now_field(_("requested at"))
    inputs_as_of = moment_field(_("inputs read at"))
    content_hash = models.CharField(_("content hash"), max_length=64, blank=True)
    pdf = models.FileField(_("PDF"), upload_to="reports/%Y/%m/", blank=True)
    xlsx = models.FileField(_("XLSX"), upload_to="reports/%Y/%m/", blank=True)
    csv = models.FileField(_("CSV"), upload_to="reports/%Y/%m/", blank=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-created_at", "-pk"]
        constraints = [
            check(
                Q(
                    kind="program_annual",
                    program__isnull=False,
                    organization__isnull=True,
                    student__isnull=True,
                    year__isnull=False,
                )
                | Q(
                    kind="partner_scorecard",
                    organization__isnull=False,
                    student__isnull=True,
                )
                | Q(kind="student_record", student__isnull=False, organization__isnull=True),
                "evaluation_report_subject_of_kind",
                _("The report's subject does not match its kind."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"
