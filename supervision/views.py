"""The audit pages: dashboard, runs and findings (namespace "supervision"); the rule settings
are in `views_settings`.

Reads start from `visible_to(request.user)` (outside it: 404); actions are checked with the
predicates of `supervision.permissions` (allowed read, forbidden action: 403) and done by one
service call. A service's ValidationError is shown on the form, on a page rendered with 200.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Sum, Value, When
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from accounts.permissions import is_portal_admin
from accounts.roles import TRAINING_ROLES, Role
from accounts.typing import AuthenticatedHttpRequest
from programs.models import BudgetLine, Expenditure, Organization, Program, Student
from programs.scopes import administered_program_ids
from training_portal.core.attention import AttentionItem
from training_portal.core.formats import format_money
from training_portal.core.history import (
    describe_history,
    events_of,
    history_enabled,
    history_url,
    may_see_history,
)
from training_portal.core.permissions import is_active_user, require

from . import permissions, services
from .audit import start_audit
from .forms import (
    AssignForm,
    BulkActionForm,
    CorrectiveActionForm,
    FindingFilterForm,
    StartAuditForm,
    TransitionForm,
)
from .models import AuditRun, Finding
from .models.audit import Severity
from .rules import Rule, all_rules, rule_label
from .rules.catalogue import MONEY_EVIDENCE

PER_PAGE = 25
RECENT_RUNS = 10
TREND_RUNS = 6
ORGANIZATION_ROWS = 20
HISTORY_ROWS = 25

Status = Finding.Status
#: Most severe first.
SEVERITIES = [Severity.CRITICAL, Severity.MAJOR, Severity.MINOR, Severity.INFO]
SERIOUS = [Severity.CRITICAL, Severity.MAJOR]
SEVERITY_RANK = Case(
    *(
        When(severity=severity, then=Value(rank))
        for rank, severity in enumerate(reversed(SEVERITIES))
    ),
    default=Value(-1),
    output_field=IntegerField(),
)
#: The roles that may be concerned by findings (inspectors and counsellors are not).
FINDING_ROLES = TRAINING_ROLES


def administers_any(user: Any) -> bool:
    """`permissions.sees_audits` from the user's cached roles (no query): for the navigation."""
    return is_portal_admin(user) or (is_active_user(user) and Role.PROGRAM_ADMIN in user.role_names)


def sees_findings(user: Any) -> bool:
    """Whether the findings list is worth offering (it answers anybody signed in)."""
    return is_portal_admin(user) or (is_active_user(user) and bool(FINDING_ROLES & user.role_names))


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


CHART_WIDTH, CHART_HEIGHT, CHART_LEFT, CHART_BOTTOM, CHART_TOP = 560, 180, 40, 24, 10
#: The bars of each run: the measure and its colour (Bootstrap's primary, danger, success).
CHART_BARS = (
    ("found", gettext_lazy("Found"), "#0d6efd"),
    ("new", gettext_lazy("New"), "#dc3545"),
    ("gone", gettext_lazy("Gone"), "#198754"),
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
    """The latest finished runs the user may see, oldest first, with an SVG bar chart's
    geometry (drawn by the template, so that the same chart serves pages and PDFs)."""
    runs = list(
        AuditRun.objects.visible_to(user)
        .filter(finished_at__isnull=False)
        .select_related("program")
        .order_by("-finished_at", "-id")[:TREND_RUNS]
    )
    runs.reverse()
    points = [TrendPoint(run=run, **_totals(run)) for run in runs]
    return {"points": points, "chart": _chart(points) if points else None}


def _chart(points: list[TrendPoint]) -> dict[str, Any]:
    top = max(max(getattr(p, name) for name, _l, _c in CHART_BARS) for p in points) or 1
    plot_height = CHART_HEIGHT - CHART_BOTTOM - CHART_TOP
    baseline = CHART_HEIGHT - CHART_BOTTOM
    group = (CHART_WIDTH - CHART_LEFT) / TREND_RUNS
    bar = group / (len(CHART_BARS) + 1)
    groups = []
    for index, point in enumerate(points):
        left = CHART_LEFT + index * group + bar / 2
        bars = []
        for position, (name, label, colour) in enumerate(CHART_BARS):
            value = getattr(point, name)
            height = round(value * plot_height / top, 1)
            bars.append(
                {
                    "x": round(left + position * bar, 1),
                    "y": round(baseline - height, 1),
                    "width": round(bar * 0.9, 1),
                    "height": height,
                    "value": value,
                    "label": label,
                    "colour": colour,
                }
            )
        groups.append(
            {"point": point, "bars": bars, "label_x": round(left + bar * len(CHART_BARS) / 2, 1)}
        )
    return {
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "left": CHART_LEFT,
        "baseline": baseline,
        "top_y": CHART_TOP,
        "top": top,
        "label_y": CHART_HEIGHT - 6,
        "groups": groups,
        "legend": [{"label": label, "colour": colour} for _n, label, colour in CHART_BARS],
    }


# ---- Runs ----------------------------------------------------------------------------------


@require(permissions.sees_audits)
@require_GET
def run_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    runs = AuditRun.objects.visible_to(request.user).select_related("program", "started_by", "job")
    page = Paginator(runs, PER_PAGE).get_page(request.GET.get("page"))
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


# ---- Findings list and bulk actions --------------------------------------------------------


@dataclass(frozen=True)
class FindingRow:
    finding: Finding
    rule_label: str
    message: str
    can_act: bool


def _finding_rows(user: Any, findings: Any) -> list[FindingRow]:
    return [
        FindingRow(
            finding=finding,
            rule_label=rule_label(finding.rule),
            message=services.message_of(finding),
            can_act=permissions.can_work_on_finding(user, finding)
            or permissions.can_dismiss_finding(user, finding),
        )
        for finding in findings
    ]


_SORTS = {
    "severity": ("-rank", "-last_seen_at", "-id"),
    "-severity": ("rank", "-last_seen_at", "-id"),
    "last_seen": ("-last_seen_at", "-id"),
    "-last_seen": ("last_seen_at", "id"),
}


def _filter_findings(
    form: FindingFilterForm, visible: QuerySet[Finding], user: User
) -> tuple[QuerySet[Finding], int]:
    findings = visible.select_related(
        "program", "organization", "student__user", "tutor", "assignee"
    ).annotate(rank=SEVERITY_RANK)
    if form.is_bound and not form.is_valid():
        return findings.none(), 400
    data: Mapping[str, Any] = form.cleaned_data if form.is_bound else {}
    status = data.get("status") or FindingFilterForm.ACTIVE
    if status == FindingFilterForm.ACTIVE:
        findings = findings.filter(status__in=Finding.ACTIVE)
    elif status != FindingFilterForm.ALL:
        findings = findings.filter(status=status)
    for name in ("rule", "program", "organization"):
        if data.get(name):
            findings = findings.filter(**{name: data[name]})
    if data.get("severity"):
        findings = findings.filter(severity__in=data["severity"])
    if data.get("mine"):
        findings = findings.filter(assignee=user)
    if data.get("q"):
        text = data["q"].strip()
        findings = findings.filter(
            Q(student__user__full_name__icontains=text) | Q(student__student_number__icontains=text)
        )
    return findings.order_by(*_SORTS[data.get("sort") or "severity"]), 200


@login_required
@require_http_methods(["GET", "POST"])
def finding_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The findings the user may see, filtered and sorted; a POST applies one action to the
    findings ticked (each through its service and permission check, all or nothing)."""
    user = request.user
    visible = Finding.objects.visible_to(user)
    filters = FindingFilterForm(
        request.GET or None,
        initial={"status": FindingFilterForm.ACTIVE, "sort": "severity"},
        programs=Program.objects.filter(pk__in=visible.values("program_id")).order_by("code"),
        organizations=Organization.objects.filter(
            pk__in=visible.exclude(organization=None).values("organization_id")
        ).order_by("name"),
    )
    findings, status = _filter_findings(filters, visible, user)
    bulk: BulkActionForm | None = None
    if request.method == "POST":
        ticked = [pk for pk in request.POST.getlist("findings") if pk.isdigit()]
        bulk = BulkActionForm(
            request.POST,
            findings=visible,
            candidates=services.assignee_candidates(Finding.objects.filter(pk__in=ticked)),
        )
        if bulk.is_valid() and _apply_bulk(request, bulk):
            return redirect(request.get_full_path())
    page = Paginator(findings, PER_PAGE).get_page(request.GET.get("page"))
    rows = _finding_rows(user, page.object_list)
    if bulk is None:
        bulk = BulkActionForm(
            findings=visible,
            candidates=services.assignee_candidates(
                Finding.objects.filter(pk__in=[row.finding.pk for row in rows])
            ),
        )
    return render(
        request,
        "supervision/finding_list.html",
        {
            "filters": filters,
            "page": page,
            "rows": rows,
            "bulk": bulk,
            "can_bulk": any(row.can_act for row in rows),
            "ticked": set(request.POST.getlist("findings")) if request.method == "POST" else set(),
            "page_query": _without_page(request),
        },
        status=status,
    )


def _without_page(request: AuthenticatedHttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _apply_bulk(request: AuthenticatedHttpRequest, form: BulkActionForm) -> bool:
    """Run the bulk action; True when it went through (messages say what happened)."""
    data = form.cleaned_data
    findings = list(data["findings"].select_related("program", "organization").order_by("pk"))
    try:
        outcome = services.act_on_findings(
            user=request.user,
            findings=findings,
            action=data["action"],
            assignee=data["assignee"],
            due_date=data["due_date"],
            justification=data["justification"],
        )
    except ValidationError as exc:
        form.add_service_errors(exc)
        return False
    if outcome.done:
        count = len(outcome.done)
        messages.success(
            request,
            ngettext("%(count)d finding updated.", "%(count)d findings updated.", count)
            % {"count": count},
        )
    if outcome.refused:
        count = len(outcome.refused)
        messages.warning(
            request,
            ngettext(
                "You may not do this to %(count)d of the findings ticked: %(ids)s.",
                "You may not do this to %(count)d of the findings ticked: %(ids)s.",
                count,
            )
            % {"count": count, "ids": ", ".join(f"#{f.pk}" for f in outcome.refused)},
        )
    if outcome.still_present:
        count = len(outcome.still_present)
        messages.warning(
            request,
            ngettext(
                "The problem of %(count)d resolved finding is still there: the next audit run "
                "will reopen it (%(ids)s).",
                "The problems of %(count)d resolved findings are still there: the next audit "
                "run will reopen them (%(ids)s).",
                count,
            )
            % {"count": count, "ids": ", ".join(f"#{f.pk}" for f in outcome.still_present)},
        )
    return True


# ---- One finding ---------------------------------------------------------------------------

#: Each move: who may make it and the status it leads to.
_TRANSITIONS: dict[str, tuple[Callable[[Any, Finding], bool], str]] = {
    "acknowledge": (permissions.can_work_on_finding, Status.ACKNOWLEDGED),
    "start_remediation": (permissions.can_work_on_finding, Status.IN_REMEDIATION),
    "resolve": (permissions.can_work_on_finding, Status.RESOLVED),
    "reopen": (permissions.manages_finding, Status.OPEN),
    "dismiss": (permissions.can_dismiss_finding, Status.DISMISSED),
}

#: Subjects that have a page of their own (the others link to the student or program page).
_SUBJECT_PAGES: dict[str, tuple[type[Any], str]] = {
    "programs.budgetline": (BudgetLine, "programs:budget-line-detail"),
    "programs.expenditure": (Expenditure, "programs:expenditure-detail"),
}
_STUDENT_SUBJECTS = {
    "programs.student",
    "programs.milestone",
    "programs.placement",
    "programs.trainingplan",
    "programs.tutorassignment",
}
_PROGRAM_SUBJECTS = {"programs.programpartner", "programs.partnerresponsibility"}


def _visible_finding(user: Any, pk: int) -> Finding:
    return get_object_or_404(
        Finding.objects.visible_to(user).select_related(
            "program",
            "organization",
            "student__user",
            "tutor",
            "assignee",
            "first_seen_run",
            "last_seen_run",
        ),
        pk=pk,
    )


def _transition_auto_id(action: Any) -> str:
    return f"id_{action}_%s" if action in TransitionForm.FIELDS else "id_%s"


@login_required
@require_GET
def finding_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _render_finding(request, _visible_finding(request.user, pk))


@login_required
@require_POST
def finding_transition(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    finding = _visible_finding(user, pk)
    form = TransitionForm(request.POST, auto_id=_transition_auto_id(request.POST.get("action")))
    if not form.is_valid():
        return _render_finding(request, finding, transition_form=form)
    action = form.cleaned_data["action"]
    allowed, _status = _TRANSITIONS[action]
    if not allowed(user, finding):
        raise PermissionDenied
    text = form.cleaned_data["corrective_action"]
    resolving = action == "resolve" and Status.RESOLVED in services.allowed_moves(finding)
    outlook = services.resolve_outlook(finding) if resolving else None
    if outlook is not None and outlook.still_present and not form.cleaned_data["confirm"]:
        # Warn before resolving what the next run would reopen; the viewer confirms or not.
        return _render_finding(request, finding, resolve_warning=_resolve_confirmation(form))
    try:
        if action == "acknowledge":
            services.acknowledge_finding(user=user, finding=finding)
        elif action == "start_remediation":
            services.start_remediation(user=user, finding=finding, corrective_action=text)
        elif action == "resolve":
            services.resolve_finding(user=user, finding=finding, corrective_action=text)
        elif action == "reopen":
            services.reopen_finding(user=user, finding=finding)
        else:
            services.dismiss_finding(
                user=user, finding=finding, justification=form.cleaned_data["justification"]
            )
    except ValidationError as exc:
        form.add_service_errors(exc)
        return _render_finding(request, _visible_finding(user, pk), transition_form=form)
    messages.success(
        request,
        _("The finding is now “%(status)s”.") % {"status": finding.get_status_display()},
    )
    if outlook is not None:
        (messages.warning if outlook.still_present else messages.info)(request, outlook.next_run)
    return redirect("supervision:finding-detail", pk=finding.pk)


def _resolve_confirmation(form: TransitionForm) -> dict[str, Any]:
    """The warning shown before resolving a finding whose problem is still there, with the
    form that resolves it all the same."""
    confirm = TransitionForm(
        initial={
            "action": "resolve",
            "corrective_action": form.cleaned_data["corrective_action"],
            "confirm": True,
        },
        auto_id="id_confirm_%s",
    )
    return {
        "text": _("The problem is still there: the next audit run will reopen this finding."),
        "form": confirm,
    }


@login_required
@require_POST
def finding_assign(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    finding = _visible_finding(user, pk)
    if not permissions.can_assign_finding(user, finding):
        raise PermissionDenied
    form = AssignForm(request.POST, candidates=_candidates(finding))
    if form.is_valid():
        try:
            services.assign_finding(
                user=user,
                finding=finding,
                assignee=form.cleaned_data["assignee"],
                due_date=form.cleaned_data["due_date"],
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("The assignment has been saved."))
            return redirect("supervision:finding-detail", pk=finding.pk)
    return _render_finding(request, _visible_finding(user, pk), assign_form=form)


@login_required
@require_POST
def finding_corrective_action(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    finding = _visible_finding(user, pk)
    if not permissions.can_work_on_finding(user, finding):
        raise PermissionDenied
    form = CorrectiveActionForm(request.POST)
    if form.is_valid():
        try:
            services.update_corrective_action(
                user=user, finding=finding, text=form.cleaned_data["text"]
            )
        except ValidationError as exc:
            form.add_service_errors(exc, {"corrective_action": "text"})
        else:
            messages.success(request, _("The corrective action has been saved."))
            return redirect("supervision:finding-detail", pk=finding.pk)
    return _render_finding(request, _visible_finding(user, pk), corrective_form=form)


def _candidates(finding: Finding) -> QuerySet[User]:
    return services.assignee_candidates(Finding.objects.filter(pk=finding.pk))


def _render_finding(
    request: AuthenticatedHttpRequest, finding: Finding, **bound_forms: Any
) -> HttpResponse:
    """The finding page: the problem, its evidence and links, its life, and the forms for the
    moves the viewer may make."""
    user = request.user
    rule = services.rule_of(finding)
    bound = bound_forms.get("transition_form")
    bound_action = bound.data.get("action") if bound is not None else None
    moves = services.allowed_moves(finding)
    transitions = []
    for action, label in TransitionForm.ACTIONS:
        allowed, to = _TRANSITIONS[action]
        if to in moves and allowed(user, finding):
            form = (
                bound
                if bound is not None and bound_action == action
                else TransitionForm(
                    initial={"action": action, "corrective_action": finding.corrective_action},
                    auto_id=_transition_auto_id(action),
                )
            )
            transitions.append({"action": action, "label": label, "form": form})
    can_assign = permissions.can_assign_finding(user, finding)
    can_work = permissions.can_work_on_finding(user, finding)
    links = _links(user, finding)
    sees_history = may_see_history(user, finding)
    context: dict[str, Any] = {
        "finding": finding,
        "rule": rule,
        "rule_label": rule_label(finding.rule),
        "message": services.message_of(finding),
        "evidence": _evidence(rule, finding.evidence),
        **links,
        "transitions": transitions,
        "transition_errors": bound.non_field_errors() if bound is not None else [],
        "resolve_warning": bound_forms.get("resolve_warning"),
        "assign_form": bound_forms.get("assign_form")
        or (
            AssignForm(
                initial={"assignee": finding.assignee_id, "due_date": finding.due_date},
                candidates=_candidates(finding),
            )
            if can_assign
            else None
        ),
        # Starting remediation takes the corrective action; afterwards it has a form of its own.
        "corrective_form": bound_forms.get("corrective_form")
        or (
            CorrectiveActionForm(initial={"text": finding.corrective_action})
            if can_work and Status.IN_REMEDIATION not in moves
            else None
        ),
        "history_url": history_url(user, finding),
        "history": describe_history(finding, events_of(finding)[:HISTORY_ROWS])
        if sees_history and history_enabled()
        else None,
    }
    return render(request, "supervision/finding_detail.html", context)


def _evidence(rule: Rule | None, evidence: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """The facts, labelled by the rule, in the rule's order (unknown keys last, as they are)."""
    labels = dict(rule.evidence_labels) if rule else {}
    keys = [key for key in labels if key in evidence] + [
        key for key in evidence if key not in labels
    ]
    return [(str(labels.get(key, key)), _shown(key, evidence[key])) for key in keys]


def _shown(key: str, value: Any) -> Any:
    """Money in the reader's format (stored as a plain string such as "1234.50")."""
    if key in MONEY_EVIDENCE and isinstance(value, str | int | Decimal):
        try:
            return format_money(Decimal(str(value)))
        except ArithmeticError:
            return value
    return value


def _links(user: Any, finding: Finding) -> dict[str, Any]:
    """Links to the pages of what the finding is about, where the viewer may open them."""
    program_url = (
        reverse("programs:program-detail", args=[finding.program_id])
        if Program.objects.visible_to(user).filter(pk=finding.program_id).exists()
        else ""
    )
    student_url = (
        reverse("programs:student", args=[finding.student_id])
        if finding.student_id
        and Student.objects.visible_to(user).filter(pk=finding.student_id).exists()
        else ""
    )
    subject_type = ContentType.objects.get_for_id(finding.subject_type_id)
    subject = f"{subject_type.app_label}.{subject_type.model}"
    subject_url = ""
    if subject in _SUBJECT_PAGES:
        model, url_name = _SUBJECT_PAGES[subject]
        if model.objects.visible_to(user).filter(pk=finding.subject_id).exists():
            subject_url = reverse(url_name, args=[finding.subject_id])
    elif subject in _STUDENT_SUBJECTS:
        subject_url = student_url
    elif subject in _PROGRAM_SUBJECTS:
        subject_url = program_url
    model_class = subject_type.model_class()
    # A whole-portal run is not a program administrator's to open, though its findings are.
    run_ids = {pk for pk in (finding.first_seen_run_id, finding.last_seen_run_id) if pk}
    visible_runs = (
        set(AuditRun.objects.visible_to(user).filter(pk__in=run_ids).values_list("pk", flat=True))
        if run_ids
        else set()
    )
    return {
        "first_run_visible": finding.first_seen_run_id in visible_runs,
        "last_run_visible": finding.last_seen_run_id in visible_runs,
        "program_url": program_url,
        "student_url": student_url,
        "subject_url": subject_url,
        "subject_kind": model_class._meta.verbose_name if model_class else subject,
    }


# ---- Attention (home page) -----------------------------------------------------------------


def assigned_findings_attention(user: Any) -> list[AttentionItem]:
    """Findings needing work that are assigned to the user (one query)."""
    if not sees_findings(user):
        return []
    count = Finding.objects.active().filter(assignee=user).count()
    return [
        AttentionItem(
            gettext_lazy("Findings assigned to you"),
            count,
            reverse("supervision:finding-list") + "?mine=on",
            "warning",
        )
    ]


def serious_findings_attention(user: Any) -> list[AttentionItem]:
    """Critical and major findings needing work in the programs the user administers."""
    if not (is_active_user(user) and Role.PROGRAM_ADMIN in user.role_names):
        return []
    count = (
        Finding.objects.active()
        .filter(program__in=administered_program_ids(user), severity__in=SERIOUS)
        .count()
    )
    query = "&".join(f"severity={severity.value}" for severity in SERIOUS)
    return [
        AttentionItem(
            gettext_lazy("Critical and major findings open"),
            count,
            f"{reverse('supervision:finding-list')}?{query}",
            "danger",
        )
    ]
