"""Supervision: audit rule settings, audit runs and their chunks, findings; internal
supervision; external inspections and publication."""

from .audit import AuditChunk, AuditRun, Finding, RuleSetting, ScheduleChange, Severity
from .inspection_reports import PublishedAuditSummary, PublishedReport, ReplyComment, ReportSection
from .inspections import (
    ChecklistItem,
    ChecklistTemplate,
    ChecklistTemplateItem,
    Draw,
    EvidenceFile,
    Inspection,
    InspectionTeamMember,
    InspectionType,
    Observation,
    SampledStudent,
)
from .inspectors import ConflictOfInterest, InspectionAssignment, InspectorProfile
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
    "ChecklistItem",
    "ChecklistTemplate",
    "ChecklistTemplateItem",
    "ConflictOfInterest",
    "Draw",
    "EvidenceFile",
    "Finding",
    "Inspection",
    "InspectionAssignment",
    "InspectionTeamMember",
    "InspectionType",
    "InspectorProfile",
    "Observation",
    "PublishedAuditSummary",
    "PublishedReport",
    "RatingReceipt",
    "ReplyComment",
    "ReportSection",
    "ReviewMeeting",
    "ReviewMeetingFinding",
    "ReviewMeetingOrganization",
    "ReviewMeetingParticipant",
    "RuleSetting",
    "SampledStudent",
    "ScheduleChange",
    "Severity",
    "SupervisionRating",
]
