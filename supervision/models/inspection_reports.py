"""External supervision: the draft report of an inspection and the right of reply, and
publication as immutable, hash-chained, de-identified versions; plus the public per-program
summaries of audit results.

Published versions (`PublishedReport`, `PublishedAuditSummary`) are never updated: a
correction is a new version. Each version's `content_hash` is the SHA-256 of its canonical
JSON (`canonical_json`) together with the previous version's hash, so that changing any
stored version breaks the chain (`verify_chain`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from programs.models import Organization, Program
from training_portal.core.draw import canonical_json
from training_portal.core.history import tracked
from training_portal.core.model_fields import (
    actor_field,
    check,
    moment_field,
    now_field,
    optional_fk,
    unique,
    user_ref,
)

from .inspections import Inspection, InspectionType

#: Counts below this are never published (they could point at a person).
SUPPRESS_BELOW = 5


# ---- Hashing of published versions -----------------------------------------------------------


def chain_hash(previous_hash: str, document: Any) -> str:
    """SHA-256 of the previous version's hash, a newline, and this version's canonical JSON."""
    text = f"{previous_hash}\n{canonical_json(document)}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class ChainedVersion(models.Model):
    """A published version in a hash chain. Subclasses name their kind of document and the
    foreign key that identifies their chain (both part of what is hashed)."""

    CHAIN_KIND: str
    CHAIN_FIELD: str

    version = models.PositiveIntegerField(_("version"))
    content = models.JSONField(_("content"))
    change_note = models.TextField(_("what changed"), blank=True)
    previous_hash = models.CharField(_("previous version's hash"), max_length=64, blank=True)
    content_hash = models.CharField(_("content hash (SHA-256)"), max_length=64, unique=True)
    published_at = now_field(_("published at"))

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("A published version is never changed; publish a new version.")
        self.content_hash = self.compute_hash()
        super().save(*args, **kwargs)

    def chain_key(self) -> dict[str, Any]:
        """What the document is about (part of what is hashed): its kind and the id of the
        record whose chain it belongs to."""
        return {"kind": self.CHAIN_KIND, self.CHAIN_FIELD: getattr(self, f"{self.CHAIN_FIELD}_id")}

    def document(self) -> dict[str, Any]:
        """Everything the hash covers."""
        return {
            **self.chain_key(),
            "version": self.version,
            "published_at": self.published_at.astimezone(dt.UTC).isoformat(),
            "change_note": self.change_note,
            "content": self.content,
        }

    def compute_hash(self) -> str:
        return chain_hash(self.previous_hash, self.document())


def verify_chain(versions: Sequence[ChainedVersion]) -> list[str]:
    """The problems of a chain of versions in order (empty when intact): a version whose
    stored hash is not the hash of its content, or whose link to the previous one is broken."""
    problems: list[str] = []
    previous = ""
    for expected_number, item in enumerate(versions, start=1):
        if item.version != expected_number:
            problems.append(
                gettext("version %(version)s: expected version %(expected)s")
                % {"version": item.version, "expected": expected_number}
            )
        if item.previous_hash != previous:
            problems.append(
                gettext("version %(version)s: the link to the previous version is broken")
                % {"version": item.version}
            )
        if item.compute_hash() != item.content_hash:
            problems.append(
                gettext("version %(version)s: the content does not match its hash")
                % {"version": item.version}
            )
        previous = item.content_hash
    return problems


# ---- The report and the right of reply ------------------------------------------------------


@tracked()
class ReportSection(models.Model):
    """A section of an inspection's draft report. Every revision is kept in the history;
    the published text is frozen in a `PublishedReport`."""

    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, related_name="report_sections"
    )
    key = models.SlugField(_("key"), max_length=40)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    revision = models.PositiveIntegerField(_("revision"), default=1)
    updated_at = now_field(_("updated at"))

    class Meta:
        verbose_name = _("report section")
        verbose_name_plural = _("report sections")
        ordering = ["inspection", "position", "id"]
        constraints = [
            unique(
                ["inspection", "key"],
                "supervision_section_key_once",
                _("The report already has a section with this key."),
            )
        ]

    def __str__(self) -> str:
        return self.title


@tracked()
class ReplyComment(models.Model):
    """A factual-accuracy comment of the inspected side on a section of the draft, and the
    inspector's answer. Kept whatever happens to the draft."""

    section = models.ForeignKey(ReportSection, on_delete=models.PROTECT, related_name="comments")
    section_revision = models.PositiveIntegerField(_("revision commented on"))
    text = models.TextField(_("comment"))
    author = user_ref()
    created_at = now_field(_("created at"))
    answer = models.TextField(_("answer"), blank=True)
    answered_by = actor_field(_("answered by"))
    answered_at = moment_field(_("answered at"))
    draft_revised = models.BooleanField(_("the draft was revised"), default=False)

    class Meta:
        verbose_name = _("reply comment")
        verbose_name_plural = _("reply comments")
        ordering = ["section", "created_at", "id"]
        constraints = [
            check(
                Q(answered_at__isnull=True) | ~Q(answer=""),
                "supervision_reply_answer_has_text",
                _("An answer needs a text."),
            )
        ]

    def __str__(self) -> str:
        return self.text[:60]


# ---- Publication -----------------------------------------------------------------------------


def latest_only(queryset: models.QuerySet[Any], chain_field: str) -> models.QuerySet[Any]:
    """The versions of `queryset` that no later version of the same chain in `queryset`
    follows (portable: no DISTINCT ON, so it works on the embedded SQLite too)."""
    newer = queryset.filter(
        **{chain_field: models.OuterRef(chain_field), "version__gt": models.OuterRef("version")}
    )
    return queryset.filter(~models.Exists(newer))


class PublishedReportQuerySet(models.QuerySet["PublishedReport"]):
    def latest_versions(self) -> PublishedReportQuerySet:
        """The newest version of each inspection's report."""
        return latest_only(self, "inspection_id")  # type: ignore[return-value]


class PublishedReport(ChainedVersion):
    """One published, de-identified version of an inspection report. Never changed."""

    CHAIN_KIND = "inspection-report"
    CHAIN_FIELD = "inspection"

    inspection = models.ForeignKey(
        Inspection, on_delete=models.PROTECT, related_name="published_versions"
    )
    #: Search and filter fields, copied from the inspection when published.
    program = optional_fk(Program, on_delete=models.PROTECT)
    organization = optional_fk(Organization, on_delete=models.PROTECT)
    inspection_type = models.CharField(
        _("inspection type"), max_length=16, choices=InspectionType.choices
    )
    title = models.CharField(_("title"), max_length=200)
    search_text = models.TextField(_("text"), blank=True)
    published_by = user_ref()
    approved_by = user_ref()

    objects = PublishedReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("published report")
        verbose_name_plural = _("published reports")
        ordering = ["-published_at", "-id"]
        constraints = [
            unique(
                ["inspection", "version"],
                "supervision_report_version_once",
                _("This version has already been published."),
            ),
            check(
                ~Q(published_by=models.F("approved_by")),
                "supervision_report_four_eyes",
                _("Publication needs a second person: the author cannot approve."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"


class PublishedAuditSummary(ChainedVersion):
    """One published, de-identified summary of a program's audit results. Never changed;
    refreshed after audit runs by publishing a new version when the figures changed."""

    CHAIN_KIND = "audit-summary"
    CHAIN_FIELD = "program"

    program = models.ForeignKey(
        Program, on_delete=models.PROTECT, related_name="published_audit_summaries"
    )
    as_of = models.DateField(_("as of"))

    class Meta:
        verbose_name = _("published audit summary")
        verbose_name_plural = _("published audit summaries")
        ordering = ["-published_at", "-id"]
        constraints = [
            unique(
                ["program", "version"],
                "supervision_summary_version_once",
                _("This version has already been published."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.program} v{self.version}"
