"""The findings pages (namespace "supervision"): the list (filtered by `filters.FindingFilter`,
with actions on the findings ticked) and a finding's page with the moves of its life
(`workflow`), its assignment and corrective action.

Reads start from `visible_to(request.user)` (outside it: 404); actions are checked with the
predicates of `permissions` (allowed read, forbidden action: 403) and done by one service
call. A service's ValidationError is shown on the form, on a page rendered with 200.
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
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from accounts.typing import AuthenticatedHttpRequest
from programs.models import BudgetLine, Expenditure, Program, Student
from training_portal.core.formats import format_money
from training_portal.core.history import (
    describe_history,
    events_of,
    history_enabled,
    history_url,
    may_see_history,
)
from training_portal.core.pages import RecordPage, page_of, permitted

from ..models import AuditRun, Finding
from ..rules import Rule, rule_label
from ..rules.catalogue import MONEY_EVIDENCE
from . import permissions, services, workflow
from .filters import FindingFilter, page_data
from .forms import AssignForm, BulkActionForm, CorrectiveActionForm, TransitionForm

PER_PAGE = 25
#: How many findings past the page shown the list counts, at most ("more than" beyond).
COUNT_UP_TO = 1000
HISTORY_ROWS = 25

Status = Finding.Status


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


@login_required
@require_http_methods(["GET", "POST"])
def finding_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The findings the user may see, filtered and sorted; a POST applies one action to the
    findings ticked (each through its service and permission check, all or nothing)."""
    user = request.user
    visible = Finding.objects.visible_to(user)
    filters = FindingFilter(
        page_data(request),
        queryset=visible.select_related(
            "program", "organization", "student__user", "tutor", "assignee"
        ),
        request=request,
        page=True,
    )
    valid = filters.is_valid()
    findings = filters.qs if valid else Finding.objects.none()
    status = 200 if valid else 400
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
    page = page_of(request, findings, PER_PAGE, count_up_to=COUNT_UP_TO)
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
            "filters": filters.form,
            "filter_fields": filters.page_fields(),
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


def _visible_finding(
    user: Any, pk: int, allowed: Callable[[Any, Finding], bool] = lambda user, finding: True
) -> Finding:
    """The finding (404 outside what the user sees), when `allowed` (else 403)."""
    findings = Finding.objects.visible_to(user).select_related(
        "program",
        "organization",
        "student__user",
        "tutor",
        "assignee",
        "first_seen_run",
        "last_seen_run",
    )
    return permitted(findings, user, allowed, pk=pk)


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
    if not workflow.may_make(user, finding, action):
        raise PermissionDenied
    text = form.cleaned_data["corrective_action"]
    resolving = action == "resolve" and Status.RESOLVED in workflow.allowed_moves(finding)
    outlook = services.resolve_outlook(finding) if resolving else None
    if outlook is not None and outlook.still_present and not form.cleaned_data["confirm"]:
        # Warn before resolving what the next run would reopen; the viewer confirms or not.
        return _render_finding(request, finding, resolve_warning=_resolve_confirmation(form))
    try:
        services.make_move(
            user=user,
            finding=finding,
            move=action,
            corrective_action=text,
            justification=form.cleaned_data["justification"],
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


def _finding_form(
    allowed: Callable[[Any, Finding], bool],
    form_key: str,
    form: Callable[[Any, Finding], Any],
    service: Callable[..., Any],
    success: str | Promise,
    aliases: dict[str, str] | None = None,
) -> Callable[..., HttpResponse]:
    """The view of a form posted from the finding's page, for those `allowed` (else 403):
    `service(user=, finding=, **cleaned_data)` of `form(request.POST, finding)`; back to the
    page, or the page (the finding read afresh) with the form's errors (as `form_key`)."""

    @login_required
    @require_POST
    def view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        user = request.user
        finding = _visible_finding(user, pk, allowed)

        def render_afresh(**shown: Any) -> HttpResponse:
            return _render_finding(request, _visible_finding(user, finding.pk), **shown)

        page = RecordPage(render_afresh, reverse("supervision:finding-detail", args=[finding.pk]))
        return page.submit(
            request,
            form_key,
            form(request.POST, finding),
            lambda data: service(user=user, finding=finding, **data),
            str(success),
            aliases,
        )

    return view


finding_assign = _finding_form(
    permissions.can_assign_finding,
    "assign_form",
    lambda data, finding: AssignForm(data, candidates=_candidates(finding)),
    services.assign_finding,
    gettext_lazy("The assignment has been saved."),
)
finding_corrective_action = _finding_form(
    permissions.can_work_on_finding,
    "corrective_form",
    lambda data, finding: CorrectiveActionForm(data),
    services.update_corrective_action,
    gettext_lazy("The corrective action has been saved."),
    aliases={"corrective_action": "text"},
)


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
    moves = workflow.allowed_moves(finding)
    transitions = []
    for move in workflow.MOVES:
        action, label = move.name, move.label
        if move.to in moves and move.allowed(user, finding):
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
