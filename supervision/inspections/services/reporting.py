"""The draft report, the right of reply and the two-person publication of an inspection
(named by the `supervision.inspections.services` package too)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import validate_slug
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import RoleMembership, User
from accounts.roles import Role
from training_portal.core.formats import format_datetime

from ...models import Inspection, PublishedReport, ReplyComment, ReportSection
from .. import permissions
from ..publication import personal_data_in, publish_report_version, report_texts
from ..workflow import (
    Errors,
    allows,
    authors,
    check,
    lock,
    notify_inspected_side,
    notify_users,
    require,
    required,
    target,
    team_users,
)

Status = Inspection.Status
MAX_REPLY_DAYS = 60
#: The longest section text.
SECTION_LIMIT = 100_000


def approvers(inspection: Inspection) -> list[User]:
    """Who may approve the publication: portal administrators and the lead inspectors of the
    team (covered by an assignment), except the author and the one who asked."""
    admins = RoleMembership.objects.current().of_role(Role.PORTAL_ADMIN).values("user_id")
    candidates = User.objects.filter(
        Q(is_superuser=True) | Q(pk__in=admins) | Q(pk__in=inspection.team.values("inspector_id")),
        is_active=True,
    ).order_by("pk")
    return [user for user in candidates if permissions.can_approve_publication(user, inspection)]


# ---- The draft report and the right of reply -------------------------------------------------


def _section_fields(key: str, title: str, errors: Errors) -> tuple[str, str]:
    key = (key or "").strip()
    try:
        validate_slug(key)
        if len(key) > 40:
            raise ValidationError("too long")
    except ValidationError:
        errors["key"] = [_("Use at most 40 letters, numbers, hyphens or underscores.")]
    return key, required(title, "title", errors, limit=200)


@transaction.atomic
def save_report_section(
    *,
    by: User,
    inspection: Inspection,
    key: str,
    title: str,
    body: str,
    position: int | None = None,
) -> ReportSection:
    """Write or revise a section of the draft (its revision goes up when the text changes;
    every revision stays in the history). The first section moves the inspection to
    drafting."""
    inspection = lock(inspection)
    require(permissions.can_write_report(by, inspection))
    errors: Errors = {}
    key, title = _section_fields(key, title, errors)
    body = (body or "").strip()
    if len(body) > 100_000:
        errors["body"] = [_("At most %(limit)d characters.") % {"limit": 100_000}]
    check(errors)
    section = ReportSection.objects.filter(inspection=inspection, key=key).first()
    if section is None:
        last = inspection.report_sections.aggregate(last=Max("position"))["last"]
        section = ReportSection(
            inspection=inspection,
            key=key,
            position=position if position is not None else (last + 1 if last is not None else 0),
        )
    elif section.body != body:
        section.revision += 1
    if position is not None:
        section.position = position
    section.title, section.body, section.updated_at = title, body, timezone.now()
    section.save()
    if allows("draft", inspection.status):
        inspection.status = target("draft")
        inspection.save(update_fields=["status"])
    return section


@transaction.atomic
def open_reply_window(*, by: User, inspection: Inspection, days: int | None = None) -> Inspection:
    """Send the draft to the inspected side for a factual-accuracy window (the inspection's
    reply days by default)."""
    inspection = lock(inspection)
    require(permissions.can_open_reply_window(by, inspection))
    days = inspection.reply_days if days is None else days
    errors: Errors = {}
    if not 1 <= days <= MAX_REPLY_DAYS:
        errors["days"] = [
            _("The reply window lasts from 1 to %(max)d days.") % {"max": MAX_REPLY_DAYS}
        ]
    if not inspection.report_sections.exists():
        errors[NON_FIELD_ERRORS] = [_("Write at least one section of the report first.")]
    check(errors)
    now = timezone.now()
    inspection.status = target("open_reply")
    inspection.reply_opens_at = now
    inspection.reply_closes_at = now + dt.timedelta(days=days)
    inspection.save(update_fields=["status", "reply_opens_at", "reply_closes_at"])
    notify_inspected_side(inspection, "inspection_reply_open", closes=inspection.reply_closes_at)
    return inspection


@transaction.atomic
def comment_on_section(*, by: User, section: ReportSection, text: str) -> ReplyComment:
    """A factual-accuracy comment of the inspected side, while the reply window is open."""
    inspection = lock(section.inspection_id)
    require(permissions.can_reply(by, inspection))
    section = ReportSection.objects.get(pk=section.pk)
    errors: Errors = {}
    text = required(text, "text", errors)
    check(errors)
    comment = ReplyComment.objects.create(
        section=section, section_revision=section.revision, text=text, author=by
    )
    notify_users(authors(inspection), "inspection_comment", inspection, section=section)
    return comment


@transaction.atomic
def answer_comment(
    *, by: User, comment: ReplyComment, answer: str, revised_body: str | None = None
) -> ReplyComment:
    """The team answers a comment, and may revise the section it is about (a new revision)."""
    comment = ReplyComment.objects.select_for_update().get(pk=comment.pk)
    section = ReportSection.objects.get(pk=comment.section_id)
    inspection = lock(section.inspection_id)
    require(permissions.can_write_report(by, inspection))
    errors: Errors = {}
    answer = required(answer, "answer", errors)
    if comment.answered_at is not None:
        errors[NON_FIELD_ERRORS] = [_("This comment has already been answered.")]
    check(errors)
    revised = revised_body is not None and revised_body.strip() != section.body
    if revised:
        section = save_report_section(
            by=by,
            inspection=inspection,
            key=section.key,
            title=section.title,
            body=revised_body or "",
        )
    comment.answer, comment.answered_by, comment.answered_at = answer, by, timezone.now()
    comment.draft_revised = revised
    comment.save(update_fields=["answer", "answered_by", "answered_at", "draft_revised"])
    if inspection.is_revealed():
        notify_users([comment.author], "inspection_comment_answered", inspection, section=section)
    return comment


# ---- Publication -----------------------------------------------------------------------------


def _publication_errors(inspection: Inspection, correction_note: str) -> Errors:
    errors: Errors = {}
    correcting = PublishedReport.objects.filter(inspection=inspection).exists()
    if inspection.status == Status.IN_REPLY and inspection.reply_window_open():
        closes = format_datetime(inspection.reply_closes_at)
        errors[NON_FIELD_ERRORS] = [
            _("The reply window is open until %(date)s.") % {"date": closes}
        ]
    elif inspection.status == Status.DRAFTING and not correcting:
        errors[NON_FIELD_ERRORS] = [
            _("The inspected side must have its reply window before the report is published.")
        ]
    elif ReplyComment.objects.filter(section__inspection=inspection, answered_at=None).exists():
        errors[NON_FIELD_ERRORS] = [_("Answer every comment of the inspected side first.")]
    elif not inspection.report_sections.exists():
        errors[NON_FIELD_ERRORS] = [_("The report has no section.")]
    if correcting and not correction_note:
        errors["correction_note"] = [_("Say what the correction changes.")]
    return errors


@transaction.atomic
def request_publication(
    *, by: User, inspection: Inspection, correction_note: str = ""
) -> Inspection:
    """The author asks for publication once the reply window has closed and every comment is
    answered (a correction says what it changes); a second person approves."""
    inspection = lock(inspection)
    require(permissions.can_request_publication(by, inspection))
    correction_note = (correction_note or "").strip()
    check(_publication_errors(inspection, correction_note))
    inspection.status = target("request_publication")
    inspection.publication_requested_by = by
    inspection.publication_requested_at = timezone.now()
    inspection.correction_note = correction_note
    inspection.save(
        update_fields=[
            "status",
            "publication_requested_by",
            "publication_requested_at",
            "correction_note",
        ]
    )
    notify_users(approvers(inspection), "inspection_approval_requested", inspection)
    return inspection


@transaction.atomic
def approve_publication(*, by: User, inspection: Inspection) -> PublishedReport:
    """The second person publishes the report as a frozen, de-identified version; refused
    while the text names a person linked to the inspection."""
    inspection = lock(inspection)
    require(permissions.can_approve_publication(by, inspection))
    problems = personal_data_in(inspection, report_texts(inspection))
    if problems:
        raise ValidationError({NON_FIELD_ERRORS: [_("Published reports name no one:"), *problems]})
    requester = inspection.publication_requested_by or authors(inspection)[0]
    try:
        with transaction.atomic():
            version = publish_report_version(
                inspection=inspection,
                published_by=requester,
                approved_by=by,
                change_note=inspection.correction_note,
            )
    except IntegrityError as error:  # the database's two-person rule, or a race
        raise ValidationError(
            {NON_FIELD_ERRORS: [_("This version cannot be published.")]}
        ) from error
    inspection.status = target("approve")
    inspection.correction_note = ""
    inspection.save(update_fields=["status", "correction_note"])
    notify_users(team_users(inspection), "inspection_published", inspection, version=version)
    notify_inspected_side(inspection, "inspection_published", version=version)
    return version


@transaction.atomic
def return_for_changes(*, by: User, inspection: Inspection, reason: str) -> Inspection:
    """The approver sends the report back to its author with a reason."""
    inspection = lock(inspection)
    require(permissions.can_approve_publication(by, inspection))
    errors: Errors = {}
    reason = required(reason, "reason", errors)
    check(errors)
    now = timezone.now()
    window_open = inspection.reply_closes_at is not None and now < inspection.reply_closes_at
    inspection.status = target("return_to_reply" if window_open else "return_to_drafting")
    inspection.publication_requested_by = None
    inspection.publication_requested_at = None
    inspection.save(
        update_fields=["status", "publication_requested_by", "publication_requested_at"]
    )
    notify_users(authors(inspection), "inspection_returned", inspection, reason=reason, actor=by)
    return inspection


@transaction.atomic
def start_correction(*, by: User, inspection: Inspection) -> Inspection:
    """Reopen a published report to correct it; the published versions stay as they are and
    the correction will be the next version."""
    inspection = lock(inspection)
    require(permissions.can_start_correction(by, inspection))
    inspection.status = target("correct")
    inspection.correction_note = ""
    inspection.publication_requested_by = None
    inspection.publication_requested_at = None
    inspection.save(
        update_fields=[
            "status",
            "correction_note",
            "publication_requested_by",
            "publication_requested_at",
        ]
    )
    return inspection
