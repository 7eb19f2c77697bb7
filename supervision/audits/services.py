"""The rule settings administrators change (portal-wide, or for one program) and the schedule
of the nightly whole-portal audit."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from accounts.models import User
from programs.models import Program

from ..models import RuleSetting, ScheduleChange
from ..models.audit import Severity
from ..rules import Threshold, get_rule
from . import permissions


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


# ---- The nightly audit's schedule ----------------------------------------------------------

#: The Celery beat task that audits the whole portal (created by migration 0002).
NIGHTLY_AUDIT = "Nightly audit"
NIGHTLY_TASK = "supervision.scheduled_audit"
NIGHTLY_DESCRIPTION = "Every rule over every program that is not closed."

schedule_log = logging.getLogger("supervision.schedule")


def nightly_audit_task() -> PeriodicTask | None:
    return PeriodicTask.objects.select_related("crontab").filter(name=NIGHTLY_AUDIT).first()


def last_schedule_change() -> ScheduleChange | None:
    return ScheduleChange.objects.select_related("changed_by").first()


@transaction.atomic
def change_schedule(*, user: User, hour: Any, minute: Any, enabled: bool) -> PeriodicTask:
    """Move the nightly whole-portal audit to another time of day, or turn it off or on.

    Portal administrators only. Celery beat picks the change up by itself (django-celery-beat
    marks its schedule changed on save). Who changed it and when is kept on the task and logged.
    """
    if not permissions.can_change_schedule(user):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    parsed: dict[str, int] = {}
    for name, value, top in (("hour", hour, 23), ("minute", minute, 59)):
        try:
            number = Threshold(0, name, 0, top).parse(value)
        except (ValueError, TypeError, ArithmeticError):
            errors[name] = [_("Enter a whole number from 0 to %(max)d.") % {"max": top}]
        else:
            parsed[name] = int(number)
    if errors:
        raise ValidationError(errors)
    crontab, _created = CrontabSchedule.objects.get_or_create(
        minute=str(parsed["minute"]),
        hour=str(parsed["hour"]),
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone=settings.TIME_ZONE,
    )
    task = PeriodicTask.objects.select_for_update().filter(name=NIGHTLY_AUDIT).first()
    if task is None:
        task = PeriodicTask(
            name=NIGHTLY_AUDIT, task=NIGHTLY_TASK, kwargs=json.dumps({"schedule": NIGHTLY_AUDIT})
        )
    task.crontab = crontab
    task.enabled = bool(enabled)
    # The description is the admin site's (Django admin → Periodic tasks); the settings page
    # says what the task does, and who changed it last, in the reader's language.
    task.description = NIGHTLY_DESCRIPTION
    task.save()
    # Beat's tables keep no history of their own.
    ScheduleChange.objects.create(
        hour=parsed["hour"], minute=parsed["minute"], enabled=task.enabled, changed_by=user
    )
    schedule_log.info(
        "nightly audit schedule changed",
        extra={
            "user_id": user.pk,
            "hour": parsed["hour"],
            "minute": parsed["minute"],
            "enabled": task.enabled,
        },
    )
    return task
