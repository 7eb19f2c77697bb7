"""A finding's life (the moves of `workflow`: open → acknowledged → in remediation → resolved,
or dismissed with a justification), its corrective action, assignment, and bulk actions on
several findings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from programs.scopes import coordinator_ids, in_ids, program_admin_ids
from training_portal.core.notifications import notify
from training_portal.core.texts import rendered

from ..audits.engine import still_present, still_present_of
from ..models import Finding
from ..rules import Rule, get_rule, rule_label
from . import permissions, workflow

Status = Finding.Status


def rule_of(finding: Finding) -> Rule | None:
    return get_rule(finding.rule)


def message_of(finding: Finding) -> str:
    """The finding's message in the active language."""
    rule = rule_of(finding)
    if rule is None:
        # An inspector's finding says what it is in its own title.
        return str(finding.details.get("title") or rule_label(finding.rule))
    try:
        return rule.message(finding.details)
    except (KeyError, TypeError, ValueError):
        return str(rule.label)


def stored_finding_message(rule: str, details: dict[str, Any]) -> str:
    """The message of a finding of `rule` with these details, in the active language (for
    notifications rendered when read: no query)."""
    return message_of(Finding(rule=rule, details=details or {}))


def _lock(finding: Finding) -> None:
    finding.refresh_from_db(from_queryset=Finding.objects.select_for_update())


def _move(finding: Finding, to: str) -> None:
    workflow.check_move(finding, to)
    finding.status = to


def _make(
    user: User, finding: Finding, move: str, to: str, corrective_action: str | None = None
) -> Finding:
    """The `workflow` move `move` by `user`: the locked finding goes to `to`, with the
    corrective action when the move takes one (a blank one keeps the current text)."""
    if not workflow.may_make(user, finding, move):
        raise PermissionDenied
    _lock(finding)
    _move(finding, to)
    fields = ["status"]
    if corrective_action is not None:
        if corrective_action.strip():
            finding.corrective_action = corrective_action.strip()
        fields.append("corrective_action")
    if to == Status.RESOLVED:
        finding.resolved_at = timezone.now()
        fields.append("resolved_at")
    finding.save(update_fields=fields)
    return finding


@transaction.atomic
def acknowledge_finding(*, user: User, finding: Finding) -> Finding:
    return _make(user, finding, "acknowledge", Status.ACKNOWLEDGED)


@transaction.atomic
def start_remediation(*, user: User, finding: Finding, corrective_action: str = "") -> Finding:
    return _make(user, finding, "start_remediation", Status.IN_REMEDIATION, corrective_action)


@transaction.atomic
def resolve_finding(*, user: User, finding: Finding, corrective_action: str = "") -> Finding:
    """Resolved by hand; the next run reopens it if the problem is still there."""
    return _make(user, finding, "resolve", Status.RESOLVED, corrective_action)


@dataclass(frozen=True)
class ResolveOutlook:
    """What the next audit run will do with a finding marked resolved now."""

    #: The problem is still there (the next run reopens the finding); None: no run checks it.
    still_present: bool | None
    next_run: str


def resolve_outlook(finding: Finding) -> ResolveOutlook:
    """Re-check the finding's rule for its program before (or after) it is resolved by hand."""
    present = still_present(finding)
    if present:
        text = _("The problem is still there: the next audit run will reopen this finding.")
    elif present is None:
        text = _("No audit run checks this rule for this program any more: it stays resolved.")
    else:
        text = _("The problem is no longer there: the next audit run will keep it resolved.")
    return ResolveOutlook(still_present=present, next_run=text)


@transaction.atomic
def dismiss_finding(*, user: User, finding: Finding, justification: str) -> Finding:
    """Not a problem after all (kept dismissed when found again), with a justification."""
    if not workflow.may_make(user, finding, "dismiss"):
        raise PermissionDenied
    justification = (justification or "").strip()
    if not justification:
        raise ValidationError({"justification": [_("Say why the finding is dismissed.")]})
    _lock(finding)
    _move(finding, Status.DISMISSED)
    finding.dismissal_justification = justification
    finding.save(update_fields=["status", "dismissal_justification"])
    return finding


@transaction.atomic
def reopen_finding(*, user: User, finding: Finding) -> Finding:
    if not workflow.may_make(user, finding, "reopen"):
        raise PermissionDenied
    _lock(finding)
    _move(finding, Status.OPEN)
    finding.resolved_at = None
    finding.reopened_count += 1
    finding.save(update_fields=["status", "resolved_at", "reopened_count"])
    return finding


def make_move(
    *, user: User, finding: Finding, move: str, corrective_action: str = "", justification: str = ""
) -> Finding:
    """Make the move of `workflow` named `move` with what it takes (the others are ignored)."""
    if move == "start_remediation":
        return start_remediation(user=user, finding=finding, corrective_action=corrective_action)
    if move == "resolve":
        return resolve_finding(user=user, finding=finding, corrective_action=corrective_action)
    if move == "dismiss":
        return dismiss_finding(user=user, finding=finding, justification=justification)
    return MOVE_SERVICES[move](user=user, finding=finding)


@transaction.atomic
def update_corrective_action(*, user: User, finding: Finding, text: str) -> Finding:
    if not permissions.can_work_on_finding(user, finding):
        raise PermissionDenied
    _lock(finding)
    finding.corrective_action = (text or "").strip()
    finding.save(update_fields=["corrective_action"])
    return finding


@transaction.atomic
def assign_finding(
    *, user: User, finding: Finding, assignee: User | None, due_date: dt.date | None = None
) -> Finding:
    """Give the finding to someone who can see it, with a due date; they are notified."""
    if not permissions.can_assign_finding(user, finding):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    if assignee is not None and not (
        assignee.is_active and Finding.objects.visible_to(assignee).filter(pk=finding.pk).exists()
    ):
        errors["assignee"] = [
            _("%(name)s cannot see this finding and so cannot work on it.") % {"name": assignee}
        ]
    if due_date is not None and due_date < timezone.localdate():
        errors["due_date"] = [_("The due date cannot be in the past.")]
    if errors:
        raise ValidationError(errors)
    _lock(finding)
    changed = finding.assignee_id != (assignee.pk if assignee else None)
    finding.assignee = assignee
    finding.due_date = due_date
    finding.save(update_fields=["assignee", "due_date"])
    if changed and assignee is not None and assignee.pk != user.pk:
        notify(
            recipient=assignee,
            template="supervision/notifications/finding_assigned",
            context={
                "finding": {
                    "due_date": finding.due_date,
                    "program": {"code": finding.program.code},
                },
                "actor": {"full_name": user.full_name},
                "rule_label": rendered("rule_label", finding.rule),
                "message": rendered("finding_message", finding.rule, finding.details),
            },
            link=reverse("supervision:finding-detail", args=[finding.pk]),
        )
    return finding


def assignee_candidates(findings: QuerySet[Finding]) -> QuerySet[User]:
    """People who can see the findings and so may take them on: the program administrators of
    their programs, the coordinators of the organisations they are about, the current tutors of
    their students and the tutors they are about. One query; the service has the last word
    (`assign_finding` checks that the assignee sees the finding)."""
    from programs.models import TutorAssignment

    admins = program_admin_ids(findings.values("program_id"))
    coordinators = coordinator_ids(findings.exclude(organization=None).values("organization_id"))
    tutors = TutorAssignment.objects.filter(
        ended_on__isnull=True, student__in=findings.exclude(student=None).values("student_id")
    ).values("tutor__user_id")
    return (
        User.objects.filter(is_active=True)
        .filter(  # id subqueries run once, looked up in the users' index (see `in_ids`)
            in_ids("pk", admins)
            | in_ids("pk", coordinators)
            | in_ids("pk", tutors)
            | in_ids("pk", findings.exclude(tutor=None).values("tutor_id"))
        )
        .order_by("full_name", "email")
    )


#: The service of each move of `workflow`.
MOVE_SERVICES: dict[str, Callable[..., Finding]] = {
    "acknowledge": acknowledge_finding,
    "start_remediation": start_remediation,
    "resolve": resolve_finding,
    "reopen": reopen_finding,
    "dismiss": dismiss_finding,
}


# ---- Several findings at once --------------------------------------------------------------

BULK_ACTIONS = ("acknowledge", "resolve", "assign", "dismiss")


@dataclass(frozen=True)
class BulkOutcome:
    """What a bulk action did: the findings changed, and those the user may not act on."""

    done: list[Finding]
    refused: list[Finding]
    #: Resolved, but their problem is still there: the next run reopens them.
    still_present: list[Finding] = dataclass_field(default_factory=list)


def act_on_findings(
    *,
    user: User,
    findings: Sequence[Finding],
    action: str,
    assignee: User | None = None,
    due_date: dt.date | None = None,
    justification: str = "",
) -> BulkOutcome:
    """Apply one action to several findings, each through its own service and permission check,
    in one transaction. A finding the user may not act on is left as it is and reported in
    `refused`; any validation error undoes the whole batch and is raised with the findings it
    concerns named, so that nothing is half done."""
    if action not in BULK_ACTIONS:
        raise ValidationError({"action": [_("Choose an action from the list.")]})
    done: list[Finding] = []
    refused: list[Finding] = []
    errors: dict[str, list[str]] = {}
    with transaction.atomic():
        for finding in findings:
            try:
                _act(user, finding, action, assignee, due_date, justification)
            except PermissionDenied:
                refused.append(finding)
            except ValidationError as exc:
                _collect(errors, finding, exc)
            else:
                done.append(finding)
        if errors:
            raise ValidationError(errors)  # leaving the block rolls the whole batch back
    present: dict[int, bool | None] = still_present_of(done) if action == "resolve" else {}
    return BulkOutcome(
        done=done,
        refused=refused,
        still_present=[finding for finding in done if present.get(finding.pk)],
    )


def _act(
    user: User,
    finding: Finding,
    action: str,
    assignee: User | None,
    due_date: dt.date | None,
    justification: str,
) -> None:
    if action == "acknowledge":
        acknowledge_finding(user=user, finding=finding)
    elif action == "resolve":
        resolve_finding(user=user, finding=finding)
    elif action == "assign":
        assign_finding(user=user, finding=finding, assignee=assignee, due_date=due_date)
    else:
        dismiss_finding(user=user, finding=finding, justification=justification)


def _collect(errors: dict[str, list[str]], finding: Finding, exc: ValidationError) -> None:
    """Field errors once each (they read the same for every finding); the others prefixed with
    the finding they concern."""
    items = (
        exc.message_dict.items()
        if hasattr(exc, "error_dict")
        else [(NON_FIELD_ERRORS, exc.messages)]
    )
    for field, texts in items:
        for text in texts:
            if field == NON_FIELD_ERRORS:
                text = _("Finding #%(id)s: %(problem)s") % {"id": finding.pk, "problem": text}
            if text not in errors.setdefault(field, []):
                errors[field].append(text)
