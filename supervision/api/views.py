"""The audits API: rules and their settings, runs (create = start one), findings and their
life. Reads start from the `visible_to` QuerySets; actions call the services."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import django_filters
from django.core.exceptions import PermissionDenied
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from programs.api_common import read_scoped_input
from programs.models import Program
from training_portal.core.api.filters import IdFilter, StableOrderingFilter
from training_portal.core.api.viewsets import ScopedViewSet, actor, answer, read_input
from training_portal.core.models import Job

from .. import permissions, services
from ..audit import Effective, effective_settings, start_audit
from ..models import AuditRun, Finding, RuleSetting, Severity
from ..models.audit import SEVERITY_RANK
from ..rules import Rule, all_rules, get_rule, rule_choices
from . import actions as a
from . import serializers as s


class SeesAudits(BasePermission):
    """Rules and runs are for portal and program administrators; others get 403."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return permissions.sees_audits(request.user)


# ---- Rules ----------------------------------------------------------------------------------


def _portal_wide(rule: Rule, setting: RuleSetting | None) -> Effective:
    """The portal-wide layer alone, layered over the rule's defaults as `effective_settings`
    layers it."""
    thresholds = rule.defaults()
    if setting is not None:
        thresholds.update({k: v for k, v in setting.thresholds.items() if k in rule.thresholds})
    return Effective(
        enabled=setting.enabled if setting is not None else True,
        severity=(setting.severity if setting is not None else "") or rule.severity,
        thresholds=thresholds,
    )


def rule_states(rules: Sequence[Rule], program: Program | None) -> list[s.RuleState]:
    """The rules with their settings portal-wide or for one program: three queries at most."""
    codes = [rule.code for rule in rules]
    own = {
        setting.rule: setting
        for setting in RuleSetting.objects.filter(rule__in=codes, program=program).select_related(
            "updated_by"
        )
    }
    if program is not None:
        layered = effective_settings(rules, [program.pk])
        effective = {rule.code: layered[(rule.code, program.pk)] for rule in rules}
    else:
        effective = {rule.code: _portal_wide(rule, own.get(rule.code)) for rule in rules}
    return [s.RuleState(rule, program, effective[rule.code], own.get(rule.code)) for rule in rules]


class RuleScopeSerializer(serializers.Serializer[Any]):
    program = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="Settings in force for this program (default: the portal-wide ones).",
    )


CODE = OpenApiParameter("code", OpenApiTypes.STR, OpenApiParameter.PATH, description="Rule code.")


@extend_schema_view(
    list=extend_schema(parameters=[RuleScopeSerializer]),
    retrieve=extend_schema(parameters=[CODE, RuleScopeSerializer]),
)
class AuditRuleViewSet(viewsets.GenericViewSet[Any]):
    """The audit rules (registered in code) with their settings; `?program=` for a program's."""

    permission_classes = [IsAuthenticated, SeesAudits]
    serializer_class = s.AuditRuleSerializer
    filter_backends: list[Any] = []
    lookup_field = "code"
    lookup_value_regex = r"[a-z0-9_]+"

    def _rule(self) -> Rule:
        rule = get_rule(self.kwargs["code"])
        if rule is None:
            raise Http404
        return rule

    def _scope(self) -> Program | None:
        """The program of `?program=` (404 unless the caller sees it), or None."""
        scope = RuleScopeSerializer(data=self.request.query_params)
        scope.is_valid(raise_exception=True)
        program_id = scope.validated_data.get("program")
        if program_id is None:
            return None
        return get_object_or_404(Program.objects.visible_to(self.request.user), pk=program_id)

    def list(self, request: Request) -> Response:
        program = self._scope()
        page = self.paginate_queryset(all_rules())
        states = rule_states(page or [], program)
        return self.get_paginated_response(self.get_serializer(states, many=True).data)

    def retrieve(self, request: Request, code: str | None = None) -> Response:
        rule = self._rule()
        [state] = rule_states([rule], self._scope())
        return Response(self.get_serializer(state).data)

    @extend_schema(
        parameters=[CODE],
        request=a.RuleSettingInputSerializer,
        responses={200: s.AuditRuleSerializer},
    )
    @action(detail=True, methods=["post"], url_path="settings", url_name="settings")
    def change_settings(self, request: Request, code: str | None = None) -> Response:
        """Replace the rule's setting portal-wide or for one program (every change is kept)."""
        rule = self._rule()
        data = read_scoped_input(request, a.RuleSettingInputSerializer)
        services.change_rule_setting(user=actor(request), rule=rule.code, **data)
        [state] = rule_states([rule], data["program"])
        return Response(self.get_serializer(state).data)


# ---- Runs -----------------------------------------------------------------------------------


class AuditRunFilter(django_filters.FilterSet):
    program = IdFilter(field_name="program_id")
    started_by = IdFilter(field_name="started_by_id")
    status = django_filters.ChoiceFilter(field_name="job__status", choices=Job.Status.choices)
    portal_wide = django_filters.BooleanFilter(
        field_name="program", lookup_expr="isnull", label=_("Whole portal")
    )
    scheduled = django_filters.BooleanFilter(method="filter_scheduled", label=_("Scheduled"))

    class Meta:
        model = AuditRun
        fields: list[str] = []

    def filter_scheduled(
        self, queryset: QuerySet[AuditRun], name: str, value: bool
    ) -> QuerySet[AuditRun]:
        return queryset.exclude(schedule="") if value else queryset.filter(schedule="")


class AuditRunViewSet(ScopedViewSet):
    """Audit runs of the programs one administers (whole-portal runs: portal administrators),
    with the job's status and progress; creating one starts it in the background."""

    permission_classes = [IsAuthenticated, SeesAudits]
    model = AuditRun
    serializer_class = s.AuditRunSerializer
    related = ("program", "started_by", "job__owner")
    filterset_class = AuditRunFilter
    ordering_fields = ["created_at", "finished_at", "as_of"]

    @extend_schema(request=a.AuditRunInputSerializer, responses={202: s.AuditRunSerializer})
    def create(self, request: Request) -> Response:
        data = read_scoped_input(request, a.AuditRunInputSerializer)
        run = start_audit(
            user=actor(request),
            program=data["program"],
            rules=list(dict.fromkeys(data["rules"])),
        )
        return answer(self, run, status.HTTP_202_ACCEPTED)


# ---- Findings -------------------------------------------------------------------------------


class FindingFilter(django_filters.FilterSet):
    rule = django_filters.MultipleChoiceFilter(choices=rule_choices)
    severity = django_filters.MultipleChoiceFilter(choices=Severity.choices)
    status = django_filters.MultipleChoiceFilter(choices=Finding.Status.choices)
    program = IdFilter(field_name="program_id")
    organization = IdFilter(field_name="organization_id")
    student = IdFilter(field_name="student_id")
    tutor = IdFilter(field_name="tutor_id")
    assignee = IdFilter(field_name="assignee_id")
    unassigned = django_filters.BooleanFilter(field_name="assignee", lookup_expr="isnull")
    active = django_filters.BooleanFilter(method="filter_active", label=_("Still needs work"))
    ordering = StableOrderingFilter(
        fields=(
            ("severity_rank", "severity"),
            ("status", "status"),
            ("rule", "rule"),
            ("program", "program"),
            ("first_seen_at", "first_seen_at"),
            ("last_seen_at", "last_seen_at"),
            ("due_date", "due_date"),
        )
    )

    class Meta:
        model = Finding
        fields: list[str] = []

    def filter_active(
        self, queryset: QuerySet[Finding], name: str, value: bool
    ) -> QuerySet[Finding]:
        active = Q(status__in=Finding.ACTIVE)
        return queryset.filter(active if value else ~active)


Predicate = Callable[[User, Finding], bool]


@dataclass(frozen=True)
class Move:
    """One action on a finding: who may take it, the service, and its input."""

    allowed: Predicate
    service: Callable[..., Finding]
    input: type[serializers.Serializer[Any]] | None = None


MOVES: dict[str, Move] = {
    "acknowledge": Move(permissions.can_work_on_finding, services.acknowledge_finding),
    "start-remediation": Move(
        permissions.can_work_on_finding,
        services.start_remediation,
        a.CorrectiveActionNoteSerializer,
    ),
    "resolve": Move(
        permissions.can_work_on_finding, services.resolve_finding, a.CorrectiveActionNoteSerializer
    ),
    "dismiss": Move(
        permissions.can_dismiss_finding, services.dismiss_finding, a.DismissalSerializer
    ),
    "reopen": Move(permissions.manages_finding, services.reopen_finding),
    "assign": Move(permissions.can_assign_finding, services.assign_finding, a.AssignmentSerializer),
    "corrective-action": Move(
        permissions.can_work_on_finding,
        services.update_corrective_action,
        a.CorrectiveActionSerializer,
    ),
}


class FindingViewSet(ScopedViewSet):
    """Findings the caller may see (students: never about funds), with their life:
    acknowledge → start remediation → resolve, or dismiss with a justification; reopen;
    assign (the assignee is notified); corrective-action notes; the same moves in bulk."""

    model = Finding
    serializer_class = s.FindingSerializer
    related = ("program", "organization", "student__user", "tutor", "assignee", "subject_type")
    filterset_class = FindingFilter
    filter_backends = [DjangoFilterBackend]

    def get_queryset(self) -> QuerySet[Any]:
        rank = Case(
            *(When(severity=severity, then=Value(n)) for severity, n in SEVERITY_RANK.items()),
            default=Value(-1),
            output_field=IntegerField(),
        )
        return super().get_queryset().annotate(severity_rank=rank)

    def _act(self, request: Request, name: str) -> Response:
        """404 outside what the caller sees, 403 if they may not act, 400 for bad input."""
        move = MOVES[name]
        finding = self.get_object()
        user = actor(request)
        if not move.allowed(user, finding):
            raise PermissionDenied
        data = read_input(request, move.input) if move.input is not None else {}
        move.service(user=user, finding=finding, **data)
        return answer(self, finding)

    @extend_schema(request=None, responses={200: s.FindingSerializer})
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk: str | None = None) -> Response:
        return self._act(request, "acknowledge")

    @extend_schema(request=a.CorrectiveActionNoteSerializer, responses={200: s.FindingSerializer})
    @action(detail=True, methods=["post"], url_path="start-remediation")
    def start_remediation(self, request: Request, pk: str | None = None) -> Response:
        return self._act(request, "start-remediation")

    @extend_schema(
        request=a.CorrectiveActionNoteSerializer, responses={200: s.ResolvedFindingSerializer}
    )
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, pk: str | None = None) -> Response:
        """Resolve the finding, and say what the next audit run will do with it: the rule is
        checked again for the finding's program; `still_present` is true when the problem is
        still there (the next run reopens the finding), null when no run checks it any more."""
        response = self._act(request, "resolve")
        outlook = services.resolve_outlook(self.get_object())
        response.data = {
            **response.data,
            "still_present": outlook.still_present,
            "next_run": outlook.next_run,
        }
        return response

    @extend_schema(request=a.DismissalSerializer, responses={200: s.FindingSerializer})
    @action(detail=True, methods=["post"])
    def dismiss(self, request: Request, pk: str | None = None) -> Response:
        return self._act(request, "dismiss")

    @extend_schema(request=None, responses={200: s.FindingSerializer})
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, pk: str | None = None) -> Response:
        return self._act(request, "reopen")

    @extend_schema(request=a.AssignmentSerializer, responses={200: s.FindingSerializer})
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, pk: str | None = None) -> Response:
        return self._act(request, "assign")

    @extend_schema(request=a.CorrectiveActionSerializer, responses={200: s.FindingSerializer})
    @action(detail=True, methods=["post"], url_path="corrective-action")
    def corrective_action(self, request: Request, pk: str | None = None) -> Response:
        return self._act(request, "corrective-action")

    @extend_schema(request=a.BulkActionSerializer, responses={200: s.BulkResultSerializer})
    @action(detail=False, methods=["post"])
    def bulk(self, request: Request) -> Response:
        """One action on many findings in one transaction (`services.act_on_findings`): those
        the caller may not act on are left as they are and listed as refused, ids outside what
        the caller sees as not found; any other error undoes the whole batch (400)."""
        data = read_input(request, a.BulkActionSerializer)
        ids = list(dict.fromkeys(data.pop("ids")))
        findings = list(self.get_queryset().filter(pk__in=ids).order_by("pk"))
        outcome = services.act_on_findings(user=actor(request), findings=findings, **data)
        seen = {finding.pk for finding in findings}
        result = {
            "done": [finding.pk for finding in outcome.done],
            "refused": [finding.pk for finding in outcome.refused],
            "not_found": [pk for pk in ids if pk not in seen],
            "still_present": [finding.pk for finding in outcome.still_present],
        }
        return Response(s.BulkResultSerializer(result).data)
