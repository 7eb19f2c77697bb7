"""Finding life (open → acknowledged → in remediation → resolved, or dismissed with a
justification), assignment, and the rule settings administrators change."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from programs.models import Program
from training_portal.core.notifications import notify

from . import permissions
from .models import Finding, RuleSetting
from .models.audit import Severity
from .rules import Rule, get_rule

Status = Finding.Status

#: What each move accepts as the current status.
_MOVES: dict[str, tuple[str, ...]] = {
    Status.ACKNOWLEDGED: (Status.OPEN,),
    Status.IN_REMEDIATION: (Status.OPEN, Status.ACKNOWLEDGED),
    Status.RESOLVED: (Status.OPEN, Status.ACKNOWLEDGED, Status.IN_REMEDIATION),
    Status.DISMISSED: (Status.OPEN, Status.ACKNOWLEDGED, Status.IN_REMEDIATION),
    Status.OPEN: (Status.RESOLVED, Status.DISMISSED),
}


def rule_of(finding: Finding) -> Rule | None:
    return get_rule(finding.rule)


def message_of(finding: Finding) -> str:
    """The finding's message in the active language."""
    rule = rule_of(finding)
    if rule is None:
        return finding.rule
    try:
        return rule.message(finding.details)
    except (KeyError, TypeError, ValueError):
        return str(rule.label)


def _lock(finding: Finding) -> None:
    finding.refresh_from_db(from_queryset=Finding.objects.select_for_update())


def _move(finding: Finding, to: str) -> None:
    if finding.status not in _MOVES[to]:
        raise ValidationError(
            {
                NON_FIELD_ERRORS: _("A finding that is “%(status)s” cannot become “%(to)s”.")
                % {"status": finding.get_status_display(), "to": Status(to).label}
            }
        )
    finding.status = to


@transaction.atomic
def acknowledge_finding(*, user: User, finding: Finding) -> Finding:
    if not permissions.can_work_on_finding(user, finding):
        raise PermissionDenied
    _lock(finding)
    _move(finding, Status.ACKNOWLEDGED)
    finding.save(update_fields=["status"])
    return finding


@transaction.atomic
def start_remediation(*, user: User, finding: Finding, corrective_action: str = "") -> Finding:
    if not permissions.can_work_on_finding(user, finding):
        raise PermissionDenied
    _lock(finding)
    _move(finding, Status.IN_REMEDIATION)
    if corrective_action.strip():
        finding.corrective_action = corrective_action.strip()
    finding.save(update_fields=["status", "corrective_action"])
    return finding


@transaction.atomic
def resolve_finding(*, user: User, finding: Finding, corrective_action: str = "") -> Finding:
    """Resolved by hand; the next run reopens it if the problem is still there."""
    if not permissions.can_work_on_finding(user, finding):
        raise PermissionDenied
    _lock(finding)
    _move(finding, Status.RESOLVED)
    if corrective_action.strip():
        finding.corrective_action = corrective_action.strip()
    finding.resolved_at = timezone.now()
    finding.save(update_fields=["status", "corrective_action", "resolved_at"])
    return finding


@transaction.atomic
def dismiss_finding(*, user: User, finding: Finding, justification: str) -> Finding:
    """Not a problem after all (kept dismissed when found again), with a justification."""
    if not permissions.can_dismiss_finding(user, finding):
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
    if not permissions.manages_finding(user, finding):
        raise PermissionDenied
    _lock(finding)
    _move(finding, Status.OPEN)
    finding.resolved_at = None
    finding.reopened_count += 1
    finding.save(update_fields=["status", "resolved_at", "reopened_count"])
    return finding


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
        rule = rule_of(finding)
        notify(
            recipient=assignee,
            template="supervision/notifications/finding_assigned",
            context={
                "finding": finding,
                "actor": user,
                "rule_label": rule.label if rule else finding.rule,
                "message": message_of(finding),
            },
            link=reverse("supervision:finding-detail", args=[finding.pk]),
        )
    return finding


# ---- Rule settings -------------------------------------------------------------------------


@transaction.atomic
def change_rule_setting(
    *,
    user: User,
    rule: str,
    program: Program | None = None,
    enabled: bool = True,
    severity: str = "",
    thresholds: Mapping[str, Any] | None = None,
) -> RuleSetting:
    """Turn a rule on or off, change its severity and thresholds, portal-wide or for one
    program (whose values then override the portal-wide ones). Every change is kept."""
    if not permissions.can_change_rule_settings(user, program):
        raise PermissionDenied
    found = get_rule(rule)
    if found is None:
        raise ValidationError({"rule": [_("Unknown rule: %(code)s.") % {"code": rule}]})
    errors: dict[str, list[str]] = {}
    if severity and severity not in Severity.values:
        errors["severity"] = [_("Choose a severity from the list.")]
    cleaned: dict[str, Any] = {}
    for name, value in (thresholds or {}).items():
        threshold = found.thresholds.get(name)
        if threshold is None:
            errors.setdefault("thresholds", []).append(
                _("The rule has no threshold “%(name)s”.") % {"name": name}
            )
            continue
        if value in (None, ""):
            continue  # not set: the portal-wide value or the default applies
        try:
            number = threshold.parse(value)
        except (ValueError, ArithmeticError):
            errors.setdefault("thresholds", []).append(
                _("%(label)s: enter a number from %(min)s to %(max)s.")
                % {"label": threshold.label, "min": threshold.minimum, "max": threshold.maximum}
            )
            continue
        cleaned[name] = str(number) if threshold.decimal else number
    if errors:
        raise ValidationError(errors)
    setting, _created = RuleSetting.objects.select_for_update().get_or_create(
        rule=rule, program=program
    )
    setting.enabled = bool(enabled)
    setting.severity = severity
    setting.thresholds = cleaned
    setting.updated_by = user
    setting.updated_at = timezone.now()
    setting.save()
    return setting
