"""The data of the reports, read set-based: a fixed number of queries per report, however
many students, milestones, logs or scores lie behind it.

Each builder returns a `ReportData`: sections of rows of raw values (codes for choices,
Decimals, dates), the labels to show them with in the current language, and a chart per
section where one helps. `ReportData.canonical()` is the language-independent content that
the report's SHA-256 hash is taken of: the same inputs give the same hash.

Anonymous evaluation answers appear only as per-indicator aggregates of at least
`settings.EVALUATION_MIN_ANONYMOUS` answers.

Split by report: `program` (annual report and dashboard), `partner` (scorecard) and
`student` (training record); `base` holds `Section`, `ReportData` and the shared sections.
"""

from __future__ import annotations

from collections.abc import Callable

from .base import ReportData, Section
from .partner import partner_scorecard
from .program import program_annual, program_dashboard
from .student import student_record

__all__ = [
    "BUILDERS",
    "ReportData",
    "Section",
    "partner_scorecard",
    "program_annual",
    "program_dashboard",
    "student_record",
]

BUILDERS: dict[str, Callable[..., ReportData]] = {
    "program_annual": program_annual,
    "partner_scorecard": partner_scorecard,
    "student_record": student_record,
}
