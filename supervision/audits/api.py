"""The audits API: the rules with their settings (portal-wide or a program's), and the runs
(creating one starts it in the background). Reads start from the `visible_to` QuerySets;
writes call the services."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, URLResolver
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from programs.api_common import read_scoped_input
from programs.models import Program
from training_portal.core.api.serializers import (
    JobSerializer,
    ReadOnlyModelSerializer,
    optional_ref,
)
from training_portal.core.api.viewsets import ScopedViewSet, actor, answer

from ..models import AuditRun, RuleSetting, Severity
from ..rules import Rule, Threshold, all_rules, get_rule
from . import permissions, services
from .engine import Effective, effective_settings, start_audit
from .filters import AuditRunFilter

# ---- Serializers ----------------------------------------------------------------------------


def threshold_value(threshold: Threshold, value: Any) -> int | str:
    """A threshold's value for JSON: decimals as strings (never floats), counts as integers."""
    if threshold.decimal:
        return str(Decimal(str(value)))
    return int(value)


@dataclass(frozen=True)
class RuleState:
    """A rule with its settings in one scope: portal-wide (no program) or one program."""

    rule: Rule
    program: Program | None
    effective: Effective
    #: The scope's own setting (None: nothing set there, the defaults or portal-wide apply).
    setting: RuleSetting | None

    @property
    def thresholds(self) -> list[dict[str, Any]]:
        return [
            {
                "name": name,
                "label": threshold.label,
                "default": threshold_value(threshold, threshold.default),
                "minimum": threshold_value(threshold, threshold.minimum),
                "maximum": threshold_value(threshold, threshold.maximum),
                "decimal": threshold.decimal,
            }
            for name, threshold in self.rule.thresholds.items()
        ]

    def _values(self, values: dict[str, Any]) -> dict[str, int | str]:
        known = self.rule.thresholds
        return {
            name: threshold_value(known[name], v) for name, v in values.items() if name in known
        }

    @property
    def effective_values(self) -> dict[str, Any]:
        return {
            "enabled": self.effective.enabled,
            "severity": self.effective.severity,
            "thresholds": self._values(self.effective.thresholds),
        }

    @property
    def own_setting(self) -> dict[str, Any] | None:
        if self.setting is None:
            return None
        return {
            "enabled": self.setting.enabled,
            "severity": self.setting.severity,
            "thresholds": self._values(self.setting.thresholds),
            "updated_by": self.setting.updated_by.email if self.setting.updated_by else None,
            "updated_at": self.setting.updated_at,
        }


@extend_schema_field({"oneOf": [{"type": "integer"}, {"type": "string", "format": "decimal"}]})
class ThresholdValueField(serializers.Field):
    """An integer, or a decimal number written as a string."""

    def to_representation(self, value: Any) -> Any:
        return value


class ThresholdSerializer(serializers.Serializer[Any]):
    name = serializers.CharField()
    label: Any = serializers.CharField()
    default = ThresholdValueField()
    minimum = ThresholdValueField()
    maximum = ThresholdValueField()
    decimal = serializers.BooleanField()


class EffectiveSettingSerializer(serializers.Serializer[Any]):
    enabled = serializers.BooleanField()
    severity = serializers.ChoiceField(choices=Severity.choices)
    thresholds = serializers.DictField(child=ThresholdValueField())


class OwnSettingSerializer(serializers.Serializer[Any]):
    enabled = serializers.BooleanField()
    #: Blank: the severity of the level above applies.
    severity = serializers.ChoiceField(choices=Severity.choices, allow_blank=True)
    thresholds = serializers.DictField(child=ThresholdValueField())
    updated_by = serializers.EmailField(allow_null=True)
    updated_at = serializers.DateTimeField()


class AuditRuleSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(source="rule.code")
    label: Any = serializers.CharField(source="rule.label")
    description = serializers.CharField(source="rule.description")
    default_severity = serializers.ChoiceField(choices=Severity.choices, source="rule.severity")
    about_funds = serializers.BooleanField(source="rule.about_funds")
    subject = serializers.CharField(source="rule.subject")
    thresholds = ThresholdSerializer(many=True)
    program = serializers.IntegerField(source="program.pk", allow_null=True, default=None)
    effective = EffectiveSettingSerializer(source="effective_values")
    setting = OwnSettingSerializer(source="own_setting", allow_null=True)


class RuleCountsSerializer(serializers.Serializer[Any]):
    found = serializers.IntegerField()
    new = serializers.IntegerField()
    reopened = serializers.IntegerField()
    gone = serializers.IntegerField()


class AuditRunSerializer(ReadOnlyModelSerializer[AuditRun]):
    program_code = serializers.CharField(source="program.code", read_only=True, default=None)
    started_by = serializers.EmailField(source="started_by.email", read_only=True, default=None)
    rules = serializers.ListField(child=serializers.CharField(), read_only=True)
    job = JobSerializer(read_only=True)
    #: Per rule, once the run has finished.
    counts = serializers.DictField(child=RuleCountsSerializer(), read_only=True)

    class Meta:
        model = AuditRun
        fields = [
            "id",
            "program",
            "program_code",
            "rules",
            "started_by",
            "schedule",
            "as_of",
            "created_at",
            "finished_at",
            "job",
            "counts",
        ]


class RuleSettingInputSerializer(serializers.Serializer[Any]):
    """The whole setting of one scope: what is left out falls back to the level above."""

    program = optional_ref(
        Program.objects.all(), help_text="A program, or null for the portal-wide setting."
    )
    enabled = serializers.BooleanField(required=False, default=True)
    severity = serializers.ChoiceField(
        choices=Severity.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text="Blank: the severity of the level above (or the rule's default) applies.",
    )
    # Plain strings: the service parses each one against the threshold's type and range and
    # names the threshold in its error.
    thresholds = serializers.DictField(
        child=serializers.CharField(max_length=40, allow_blank=True, allow_null=True),
        required=False,
        default=dict,
        help_text="Threshold name → number; a blank or null value is not set at this level.",
    )


class AuditRunInputSerializer(serializers.Serializer[Any]):
    program = optional_ref(
        Program.objects.all(), help_text="The program to audit, or null for the whole portal."
    )
    rules = serializers.ListField(
        child=serializers.CharField(max_length=64),
        required=False,
        default=list,
        max_length=200,
        help_text="Rule codes; empty: every enabled rule.",
    )


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


def rule_states(rules: Sequence[Rule], program: Program | None) -> list[RuleState]:
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
    return [RuleState(rule, program, effective[rule.code], own.get(rule.code)) for rule in rules]


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
    serializer_class = AuditRuleSerializer
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
        request=RuleSettingInputSerializer,
        responses={200: AuditRuleSerializer},
    )
    @action(detail=True, methods=["post"], url_path="settings", url_name="settings")
    def change_settings(self, request: Request, code: str | None = None) -> Response:
        """Replace the rule's setting portal-wide or for one program (every change is kept)."""
        rule = self._rule()
        data = read_scoped_input(request, RuleSettingInputSerializer)
        services.change_rule_setting(user=actor(request), rule=rule.code, **data)
        [state] = rule_states([rule], data["program"])
        return Response(self.get_serializer(state).data)


# ---- Runs -----------------------------------------------------------------------------------


class AuditRunViewSet(ScopedViewSet):
    """Audit runs of the programs one administers (whole-portal runs: portal administrators),
    with the job's status and progress; creating one starts it in the background."""

    permission_classes = [IsAuthenticated, SeesAudits]
    model = AuditRun
    serializer_class = AuditRunSerializer
    related = ("program", "started_by", "job__owner")
    filterset_class = AuditRunFilter
    ordering_fields = ["created_at", "finished_at", "as_of"]

    @extend_schema(request=AuditRunInputSerializer, responses={202: AuditRunSerializer})
    def create(self, request: Request) -> Response:
        data = read_scoped_input(request, AuditRunInputSerializer)
        run = start_audit(
            user=actor(request),
            program=data["program"],
            rules=list(dict.fromkeys(data["rules"])),
        )
        return answer(self, run, status.HTTP_202_ACCEPTED)


router = SimpleRouter()
router.register("audit-rules", AuditRuleViewSet, basename="audit-rule")
router.register("audit-runs", AuditRunViewSet, basename="audit-run")

urlpatterns: list[URLPattern | URLResolver] = list(router.urls)
