"""Rule settings (portal-wide, or for one program with ?program=) and the nightly audit's
schedule, in the browser (namespace "supervision").

Portal administrators change the portal-wide settings and the schedule; a program's
administrators change its settings and read the portal-wide ones. Every change goes through
`supervision.services` (validated there, and kept in the settings' history).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.permissions import is_portal_admin
from accounts.typing import AuthenticatedHttpRequest
from programs.models import Program
from training_portal.core.history import history_url
from training_portal.core.permissions import require

from . import permissions, services
from .forms import RuleSettingForm, ScheduleForm
from .models import RuleSetting
from .models.audit import Severity
from .rules import Rule, all_rules, get_rule
from .views import administers_any, startable_programs


@require(permissions.sees_audits)
@require_http_methods(["GET", "POST"])
def rule_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Each rule's switch, severity and thresholds, portal-wide or (?program=) for one program;
    the nightly audit's schedule."""
    user = request.user
    program = _settings_program(request)
    editable = permissions.can_change_rule_settings(user, program)
    if program is not None and not editable:
        raise PermissionDenied  # a program's settings are its administrators' business
    bound_rule: RuleSettingForm | None = None
    schedule_form: ScheduleForm | None = None
    if request.method == "POST":
        if request.POST.get("form") == "schedule":
            if not is_portal_admin(user):
                raise PermissionDenied
            schedule_form = ScheduleForm(request.POST, prefix="schedule")
            if schedule_form.is_valid():
                try:
                    services.change_schedule(user=user, **schedule_form.cleaned_data)
                except ValidationError as exc:
                    schedule_form.add_service_errors(exc)
                else:
                    messages.success(request, _("The nightly audit's schedule has been saved."))
                    return redirect(request.get_full_path())
        else:
            if not editable:
                raise PermissionDenied
            rule = get_rule(request.POST.get("rule", ""))
            if rule is None:
                raise Http404
            bound_rule = RuleSettingForm(
                request.POST,
                rule=rule,
                inherited_severity=_inherited_severity(rule, program),
                prefix=rule.code,
            )
            if bound_rule.is_valid():
                try:
                    services.change_rule_setting(
                        user=user, rule=rule.code, program=program, **bound_rule.setting_fields()
                    )
                except ValidationError as exc:
                    bound_rule.add_service_errors(exc)
                else:
                    messages.success(
                        request,
                        _("The settings of “%(rule)s” have been saved.") % {"rule": rule.label},
                    )
                    return redirect(request.get_full_path())
    task = services.nightly_audit_task()
    if schedule_form is None and is_portal_admin(user):
        schedule_form = ScheduleForm(
            prefix="schedule",
            initial={
                "hour": task.crontab.hour if task and task.crontab else 2,
                "minute": task.crontab.minute if task and task.crontab else 0,
                "enabled": task.enabled if task else True,
            },
        )
    return render(
        request,
        "supervision/rule_settings.html",
        {
            "program": program,
            "editable": editable,
            "rules": _rule_rows(user, program, editable, bound_rule),
            "programs": startable_programs(user) if administers_any(user) else [],
            "task": task,
            "schedule_time": _time_of(task),
            "schedule_change": services.last_schedule_change() if schedule_form else None,
            "schedule_form": schedule_form,
        },
    )


def _time_of(task: Any) -> str:
    """The task's time of day as HH:MM, when its crontab names one."""
    crontab = getattr(task, "crontab", None)
    if crontab is None or not (crontab.hour.isdigit() and crontab.minute.isdigit()):
        return ""
    return f"{int(crontab.hour):02d}:{int(crontab.minute):02d}"


def _settings_program(request: AuthenticatedHttpRequest) -> Program | None:
    raw = request.GET.get("program", "")
    if not raw:
        return None
    if not raw.isdigit():
        raise Http404
    return get_object_or_404(Program.objects.visible_to(request.user), pk=int(raw))


def _inherited_severity(rule: Rule, program: Program | None) -> str:
    """What a blank severity means here: the portal-wide one for a program, else the default."""
    if program is not None:
        portal = RuleSetting.objects.filter(rule=rule.code, program__isnull=True).first()
        if portal is not None and portal.severity:
            return portal.severity
    return rule.severity


def _rule_rows(
    user: Any, program: Program | None, editable: bool, bound: RuleSettingForm | None
) -> list[dict[str, Any]]:
    """Per rule: its description, defaults, portal-wide and program values, what applies, the
    form and the link to the setting's history (one query for all the settings)."""
    scope = Q(program__isnull=True) | (Q(program=program) if program is not None else Q(pk=None))
    settings = {(s.rule, s.program_id): s for s in RuleSetting.objects.filter(scope)}
    rows = []
    for rule in all_rules():
        portal = settings.get((rule.code, None))
        own = settings.get((rule.code, program.pk)) if program is not None else None
        layers = [s for s in (portal, own) if s is not None]
        editing = own if program is not None else portal
        inherited = (portal.severity if portal and portal.severity else "") or rule.severity
        thresholds = [
            {
                "label": threshold.label,
                "default": threshold.default,
                "portal": portal.thresholds.get(name) if portal else None,
                "program": own.thresholds.get(name) if own else None,
                "applies": next(
                    (s.thresholds[name] for s in reversed(layers) if name in s.thresholds),
                    threshold.default,
                ),
            }
            for name, threshold in rule.thresholds.items()
        ]
        form = None
        if editable:
            form = (
                bound
                if bound is not None and bound.rule.code == rule.code
                else RuleSettingForm(
                    rule=rule,
                    inherited_severity=inherited if program is not None else rule.severity,
                    prefix=rule.code,
                    initial={
                        "enabled": editing.enabled if editing else True,
                        "severity": editing.severity if editing else "",
                        **{
                            f"threshold_{name}": (editing.thresholds.get(name) if editing else None)
                            for name in rule.thresholds
                        },
                    },
                )
            )
        severity = next((s.severity for s in reversed(layers) if s.severity), rule.severity)
        rows.append(
            {
                "rule": rule,
                "default_severity": Severity(rule.severity).label,
                "severity": Severity(severity).label,
                "enabled": all(s.enabled for s in layers),
                "portal_disabled": portal is not None and not portal.enabled,
                "thresholds": thresholds,
                "setting": editing,
                "form": form,
                "history_url": history_url(user, editing) if editing else "",
            }
        )
    return rows
