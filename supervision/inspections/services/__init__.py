"""External inspections, as processes: assignments and conflicts of interest, checklist
templates, scheduling, conducting (checklist, sample, observations, evidence, findings), the
draft report, the right of reply and the two-person publication. The services are in
`planning` (targets, assignments, conflicts, templates, scheduling, start, cancellation),
`conducting` (checklist, sample, observations, evidence, findings) and `reporting` (the
draft, the reply window, publication); this package names them all.

Every service is keyword-only and atomic, checks its predicate
(`supervision.inspections.permissions`) and raises `PermissionDenied`, or
`ValidationError({field: [message]})` on bad input. History is kept by the database
triggers; pass through `history_context` when calling from outside a request.

Secrecy: the inspected side is told of an inspection only once it is revealed
(`Inspection.is_revealed`): `workflow.notify_inspected_side` is the one place that notifies
them, and it says nothing about an unannounced inspection before it starts. The reveal task
(`tasks.reveal_started_inspections`) tells them once it has started.

Life of an inspection: PLANNED → (start) IN_PROGRESS → (first report section) DRAFTING →
(reply window) IN_REPLY → (the window closed, every comment answered; request)
AWAITING_APPROVAL → (a second person approves) PUBLISHED → (correction) DRAFTING →
AWAITING_APPROVAL → PUBLISHED (version 2)... and CANCELLED from anything not published.
"""

from __future__ import annotations

from .conducting import (
    MAX_EVIDENCE_BYTES,
    add_evidence,
    add_observation,
    record_checklist_result,
    record_inspection_finding,
    update_sampled_student,
)
from .planning import (
    ASSIGNMENT_GRACE_DAYS,
    cancel_inspection,
    conflicts_of,
    create_assignment,
    declare_conflict,
    inspection_date_errors,
    revoke_assignment,
    save_checklist_template,
    schedule_inspection,
    start_inspection,
    target_organization_ids,
    target_students,
)
from .reporting import (
    MAX_REPLY_DAYS,
    answer_comment,
    approve_publication,
    approvers,
    comment_on_section,
    open_reply_window,
    request_publication,
    return_for_changes,
    save_report_section,
    start_correction,
)

__all__ = [
    "ASSIGNMENT_GRACE_DAYS",
    "MAX_EVIDENCE_BYTES",
    "MAX_REPLY_DAYS",
    "add_evidence",
    "add_observation",
    "answer_comment",
    "approve_publication",
    "approvers",
    "cancel_inspection",
    "comment_on_section",
    "conflicts_of",
    "create_assignment",
    "declare_conflict",
    "inspection_date_errors",
    "open_reply_window",
    "record_checklist_result",
    "record_inspection_finding",
    "request_publication",
    "return_for_changes",
    "revoke_assignment",
    "save_checklist_template",
    "save_report_section",
    "schedule_inspection",
    "start_correction",
    "start_inspection",
    "target_organization_ids",
    "target_students",
    "update_sampled_student",
]
