"""The choice sets of supervision' models (one home for every enumeration, NetBox-style).

The models keep them under their old nested names (`Project.Status` is `ProjectStatus`)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


# models/audit.py
class Severity(models.TextChoices):
    INFO = "info", _("Info")
    MINOR = "minor", _("Minor")
    MAJOR = "major", _("Major")
    CRITICAL = "critical", _("Critical")


class FindingStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("finding status", "Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    IN_REMEDIATION = "in_remediation", _("In remediation")
    RESOLVED = "resolved", _("Resolved")
    DISMISSED = "dismissed", _("Dismissed")


# models/inspections.py
class InspectionType(models.TextChoices):
    """What an inspection looks at; each type has its checklist template."""

    ROUTINE = "routine", _("Routine inspection")
    THEMATIC = "thematic", _("Thematic inspection")
    FUNDS = "funds", _("Fund use inspection")
    FOLLOW_UP = "follow_up", _("Follow-up inspection")


class DrawTargetKind(models.TextChoices):
    ORGANIZATION = "organization", _("Organisations")
    PROGRAM = "program", _("Programs")


class InspectionStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("inspection status", "Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DRAFTING = "drafting", _("Report being drafted")
    IN_REPLY = "in_reply", _("In the reply window")
    AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")
    PUBLISHED = "published", pgettext_lazy("inspection status", "Published")
    CANCELLED = "cancelled", pgettext_lazy("inspection status", "Cancelled")


class ChecklistItemResult(models.TextChoices):
    PENDING = "pending", pgettext_lazy("checklist result", "Not checked yet")
    MET = "met", _("Met")
    PARTLY_MET = "partly_met", _("Partly met")
    NOT_MET = "not_met", _("Not met")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


# models/inspectors.py
class ConflictOfInterestKind(models.TextChoices):
    MEMBER = "member", _("Belongs to it")
    FORMER_MEMBER = "former_member", _("Belonged to it")
    FAMILY = "family", _("Family or personal link")
    FINANCIAL = "financial", _("Financial or business link")
    COLLABORATION = "collaboration", _("Research or teaching collaboration")
    OTHER = "other", pgettext_lazy("conflict kind", "Other")


# models/internal.py
class ReviewMeetingKind(models.TextChoices):
    REGULAR_REVIEW = "regular_review", _("Regular review")
    STUDENT_FORUM = "student_forum", _("Student forum")
    PARTNER_REVIEW = "partner_review", _("Partner review")
    OTHER = "other", pgettext_lazy("review meeting kind", "Other")


class ReviewMeetingStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("review meeting status", "Planned")
    HELD = "held", pgettext_lazy("review meeting status", "Held")
