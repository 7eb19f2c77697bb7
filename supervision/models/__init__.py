"""Supervision: audit rule settings, audit runs and their chunks, findings."""

from .audit import AuditChunk, AuditRun, Finding, RuleSetting, Severity
from .internal import (
    RatingReceipt,
    ReviewMeeting,
    ReviewMeetingFinding,
    ReviewMeetingOrganization,
    ReviewMeetingParticipant,
    SupervisionRating,
)

__all__ = [
    "AuditChunk",
    "AuditRun",
    "Finding",
    "RatingReceipt",
    "ReviewMeeting",
    "ReviewMeetingFinding",
    "ReviewMeetingOrganization",
    "ReviewMeetingParticipant",
    "RuleSetting",
    "Severity",
    "SupervisionRating",
]
