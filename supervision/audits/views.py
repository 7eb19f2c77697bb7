"""The audit pages (namespace "supervision"): the dashboard (open findings, the trend over the
last runs, starting an audit), the runs, and the rule settings with the nightly audit's
schedule.

Reads start from `visible_to(request.user)` (outside it: 404); actions are checked with the
predicates of `permissions` (allowed read, forbidden action: 403) and done by one service
call. A service's ValidationError is shown on the form, on a page rendered with 200. Portal
administrators change the portal-wide settings and the schedule; a program's administrators
change its settings and read the portal-wide ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import User
from accounts.permissions import is_portal_admin
from accounts.typing import AuthenticatedHttpRequest
from programs.models import Program
from programs.scopes import administered_program_ids
from training_portal.core.charts import ColumnGroup, Series, column_chart
from training_portal.core.history import history_url
from training_portal.core.pages import page_of
from training_portal.core.permissions import require

from ..models import AuditRun, Finding, RuleSetting
from ..models.audit import SERIOUS, SEVERITIES, Severity
from ..rules import Rule, all_rules, get_rule, rule_label
from . import permissions, services
from .engine import start_audit
from .filters import AuditRunFilter
from .forms import RuleSettingForm, ScheduleForm, StartAuditForm
from .permissions import administers_any

PER_PAGE = 25
RECENT_RUNS = 10
TREND_RUNS = 6
ORGANIZATION_ROWS = 20


# ---- Dashboard -----------------------------------------------------------------------------


def startable_programs(user: Any) -> QuerySet[Program]:
    programs = Program.objects.exclude(status=Program.Status.CLOSED).order_by("code")
    if is_portal_admin(user):
        return programs
    return programs.filter(pk__in=administered_program_ids(user))


@require(permissions.sees_audits)
@require_http_methods(["GET", "POST"])
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Open findings by rule, severity, program and organisation; the trend over the last runs;
    starting an audit; the latest runs."""
    user = request.user
    form = StartAuditForm(
        request.POST if request.method == "POST" else None,
        programs=startable_programs(user),
        whole_portal=is_portal_admin(user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            run = start_audit(
                user=user, program=form.cleaned_data["program"], rules=form.cleaned_data["rules"]
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("The audit has started."))
            return redirect("supervision:run-detail", pk=run.pk)
    runs = AuditRun.objects.visible_to(user).select_related("program", "started_by", "job")
    context = {
        **_open_findings(Finding.objects.visible_to(user).active()),
        "trend": _trend(user),
        "runs": _run_summaries(runs[:RECENT_RUNS]),
        "form": form,
    }
    return render(request, "supervision/dashboard.html", context)


def _open_findings(active: QuerySet[Finding]) -> dict[str, Any]:
    """Counts of the findings needing work: per rule and severity, per program, per organisation
    (three aggregate queries, whatever the number of findings)."""
    per_rule: dict[str, dict[str, int]] = {}
    for row in active.values("rule", "severity").annotate(n=Count("pk")).order_by():
        per_rule.setdefault(row["rule"], {})[row["severity"]] = row["n"]
    most_first = sorted(
        per_rule, key=lambda code: (-sum(per_rule[code].values()), rule_label(code))
    )
    by_rule = [
        {
            "code": code,
            "label": rule_label(code),
            "counts": [per_rule[code].get(severity, 0) for severity in SEVERITIES],
            "total": sum(per_rule[code].values()),
        }
        for code in most_first
    ]
    by_severity = [
        {
            "value": severity.value,
            "label": severity.label,
            "n": sum(counts.get(severity, 0) for counts in per_rule.values()),
        }
        for severity in SEVERITIES
    ]
    serious = Count("pk", filter=Q(severity__in=SERIOUS))
    by_program = (
        active.values("program_id", "program__code", "program__title")
        .annotate(n=Count("pk"), serious=serious)
        .order_by("program__code")
    )
    by_organization = (
        active.exclude(organization=None)
        .values("organization_id", "organization__name")
        .annotate(n=Count("pk"), serious=serious)
        .order_by("-n", "organization__name")[:ORGANIZATION_ROWS]
    )
    return {
        "severities": SEVERITIES,
        "by_rule": by_rule,
        "by_severity": by_severity,
        "by_program": list(by_program),
        "by_organization": list(by_organization),
        "open_total": sum(row["n"] for row in by_severity),
    }


@dataclass(frozen=True)
class TrendPoint:
    run: AuditRun
    found: int
    new: int
    reopened: int
    gone: int


#: The columns of each run: the measure and its colour (Bootstrap's primary, danger, success).
TREND_SERIES = (
    ("found", Series(gettext_lazy("Found"), "#0d6efd")),
    ("new", Series(gettext_lazy("New"), "#dc3545")),
    ("gone", Series(gettext_lazy("Gone"), "#198754")),
)


def _totals(run: AuditRun) -> dict[str, int]:
    """found, new, reopened and gone over the rules of a finished run (0 while it runs)."""
    return {
        name: sum(int(counts.get(name, 0)) for counts in run.counts.values())
        for name in ("found", "new", "reopened", "gone")
    }


def _run_summaries(runs: Any) -> list[dict[str, Any]]:
    return [{"run": run, **_totals(run)} for run in runs]


def _trend(user: Any) -> dict[str, Any]:
    """The latest finished runs the user may see, oldest first, with their SVG column chart."""
    runs = list(
        AuditRun.objects.visible_to(user)
        .filter(finished_at__isnull=False)
        .select_related("program")
        .order_by("-finished_at", "-id")[:TREND_RUNS]
    )
    runs.reverse()
    points = [TrendPoint(run=run, **_totals(run)) for run in runs]
    return {"points": points, "chart": _chart(points) if points else None}


def _chart(points: list[TrendPoint]) -> SafeString:
    return column_chart(
        [
            ColumnGroup(f"#{point.run.pk}", [getattr(point, name) for name, _s in TREND_SERIES])
            for point in points
        ],
        [series for _n, series in TREND_SERIES],
        title=_("Findings found, new and gone in the last runs"),
        empty_label="",
        slots=TREND_RUNS,
        fluid=True,
    )


# ---- Runs ----------------------------------------------------------------------------------


@require(permissions.sees_audits)
@require_GET
def run_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    runs = AuditRunFilter(
        request.GET,
        queryset=AuditRun.objects.visible_to(request.user).select_related(
            "program", "started_by", "job"
        ),
        request=request,
    ).qs
    page = page_of(request, runs, PER_PAGE)
    return render(
        request,
        "supervision/run_list.html",
        {"page": page, "runs": _run_summaries(page.object_list)},
    )


def _visible_run(user: Any, pk: int) -> AuditRun:
    return get_object_or_404(
        AuditRun.objects.visible_to(user).select_related("program", "started_by", "job"), pk=pk
    )


@login_required
@require_GET
def run_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    run = _visible_run(request.user, pk)
    return render(request, "supervision/run_detail.html", _run_context(request.user, run))


@login_required
@require_GET
@never_cache
def run_progress(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The progress and per-rule counts, polled by htmx until the run's job has finished."""
    run = _visible_run(request.user, pk)
    return render(request, "supervision/run_detail.html#progress", _run_context(request.user, run))


def _run_context(user: User, run: AuditRun) -> dict[str, Any]:
    """Per rule: chunks done and found/new/reopened/gone, summed over the run's chunks (one
    query), in the registry's order."""
    order = {rule.code: index for index, rule in enumerate(all_rules())}
    rows = [
        {
            "code": row["rule"],
            "label": rule_label(row["rule"]),
            "chunks": row["chunks"],
            "done": row["done"],
            **{name: row[name] or 0 for name in ("found", "new", "reopened", "gone")},
        }
        for row in run.chunks.values("rule")
        .annotate(
            chunks=Count("pk"),
            done=Count("pk", filter=Q(done_at__isnull=False)),
            found=Sum("found"),
            new=Sum("new"),
            reopened=Sum("reopened"),
            gone=Sum("gone"),
        )
        .order_by()
    ]
    rows.sort(key=lambda row: (order.get(row["code"], len(order)), row["code"]))
    totals = {name: sum(row[name] for row in rows) for name in ("found", "new", "reopened", "gone")}
    job = run.job
    return {
        "run": run,
        "job": job,
        "rows": rows,
        "totals": totals,
        "chosen_rules": [rule_label(code) for code in run.rules],
        "job_url": reverse("core:job-detail", args=[job.pk])
        if is_portal_admin(user) or job.owner_id == user.pk
        else "",
    }


# ---- Rule settings and the schedule ---------------------------------------------------------


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
