"""Serializers of the audits API: rules with their settings, runs, findings."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from programs.models import Program
from training_portal.core.api.serializers import JobSerializer

from .. import permissions
from ..audit import Effective
from ..models import AuditRun, Finding, RuleSetting, Severity
from ..rules import Rule, Threshold, rule_label
from ..services import allowed_moves, message_of, rule_of

# ---- Rules ----------------------------------------------------------------------------------


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


# ---- Runs -----------------------------------------------------------------------------------


class RuleCountsSerializer(serializers.Serializer[Any]):
    found = serializers.IntegerField()
    new = serializers.IntegerField()
    reopened = serializers.IntegerField()
    gone = serializers.IntegerField()


class AuditRunSerializer(serializers.ModelSerializer[AuditRun]):
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
        read_only_fields = fields


# ---- Findings -------------------------------------------------------------------------------

#: The API endpoint of each kind of subject that has one.
SUBJECT_ENDPOINTS = {
    "programs.milestone": "api:milestone-detail",
    "programs.student": "api:student-detail",
    "programs.tutorprofile": "api:tutor-detail",
    "programs.trainingplan": "api:training-plan-detail",
    "programs.placement": "api:placement-detail",
    "programs.programpartner": "api:program-partner-detail",
    "programs.budgetline": "api:budget-line-detail",
    "programs.expenditure": "api:expenditure-detail",
}


class EvidenceSerializer(serializers.Serializer[Any]):
    name = serializers.CharField()
    label: Any = serializers.CharField()
    value = serializers.JSONField()


class FindingPermissionsSerializer(serializers.Serializer[Any]):
    """What the caller may do with the finding (its status decides which moves are open)."""

    work = serializers.BooleanField(help_text="Acknowledge, remediate, resolve, write notes.")
    assign = serializers.BooleanField()
    dismiss = serializers.BooleanField()
    reopen = serializers.BooleanField()


def _subject_label(finding: Finding) -> str:
    return f"{finding.subject_type.app_label}.{finding.subject_type.model}"


class FindingSerializer(serializers.ModelSerializer[Finding]):
    rule_label = serializers.SerializerMethodField()
    message = serializers.SerializerMethodField()
    program_code = serializers.CharField(source="program.code", read_only=True)
    organization_name = serializers.CharField(
        source="organization.name", read_only=True, default=None
    )
    student_name = serializers.CharField(
        source="student.user.full_name", read_only=True, default=None
    )
    tutor_name = serializers.CharField(source="tutor.full_name", read_only=True, default=None)
    assignee_name = serializers.CharField(source="assignee.full_name", read_only=True, default=None)
    assignee_email = serializers.EmailField(source="assignee.email", read_only=True, default=None)
    subject_type = serializers.SerializerMethodField()
    subject_url = serializers.SerializerMethodField()
    evidence = serializers.SerializerMethodField()
    is_active = serializers.BooleanField(read_only=True)
    next_statuses = serializers.SerializerMethodField()
    can = serializers.SerializerMethodField()

    class Meta:
        model = Finding
        fields = [
            "id",
            "rule",
            "rule_label",
            "severity",
            "status",
            "message",
            "program",
            "program_code",
            "organization",
            "organization_name",
            "student",
            "student_name",
            "tutor",
            "tutor_name",
            "subject_type",
            "subject_id",
            "subject_url",
            "evidence",
            "first_seen_at",
            "last_seen_at",
            "first_seen_run",
            "last_seen_run",
            "gone_at",
            "reopened_count",
            "is_active",
            "assignee",
            "assignee_name",
            "assignee_email",
            "due_date",
            "corrective_action",
            "dismissal_justification",
            "resolved_at",
            "next_statuses",
            "can",
        ]
        read_only_fields = fields

    def get_rule_label(self, finding: Finding) -> str:
        return rule_label(finding.rule)

    def get_message(self, finding: Finding) -> str:
        return message_of(finding)

    def get_subject_type(self, finding: Finding) -> str:
        """`app_label.model` of the subject, e.g. `programs.milestone`."""
        return _subject_label(finding)

    def get_subject_url(self, finding: Finding) -> str | None:
        """The subject's API endpoint, where it has one (readable if the caller may see it)."""
        name = SUBJECT_ENDPOINTS.get(_subject_label(finding))
        return reverse(name, args=[finding.subject_id]) if name else None

    @extend_schema_field(EvidenceSerializer(many=True))
    def get_evidence(self, finding: Finding) -> list[dict[str, Any]]:
        """The facts that triggered the finding, labelled by its rule."""
        rule = rule_of(finding)
        labels = rule.evidence_labels if rule else {}
        # In the rule's order (the database keeps JSON keys in an order of its own).
        names = [name for name in labels if name in finding.evidence]
        names += sorted(set(finding.evidence) - set(names))
        return [
            {"name": name, "label": str(labels.get(name, name)), "value": finding.evidence[name]}
            for name in names
        ]

    @extend_schema_field(
        serializers.ListField(child=serializers.ChoiceField(Finding.Status.choices))
    )
    def get_next_statuses(self, finding: Finding) -> list[str]:
        """The statuses the finding may move to from where it is (`can` says who may)."""
        return [str(status) for status in Finding.Status if status in allowed_moves(finding)]

    @extend_schema_field(FindingPermissionsSerializer)
    def get_can(self, finding: Finding) -> dict[str, bool]:
        user = self.context["request"].user
        return {
            "work": permissions.can_work_on_finding(user, finding),
            "assign": permissions.can_assign_finding(user, finding),
            "dismiss": permissions.can_dismiss_finding(user, finding),
            "reopen": permissions.manages_finding(user, finding),
        }


class ResolvedFindingSerializer(FindingSerializer):
    """A finding just resolved, with what the next audit run will do with it."""

    still_present = serializers.BooleanField(
        allow_null=True,
        read_only=True,
        help_text="The problem is still there: the next run reopens the finding "
        "(null: no run checks this rule for the program any more).",
    )
    next_run = serializers.CharField(read_only=True)

    class Meta(FindingSerializer.Meta):
        fields = [*FindingSerializer.Meta.fields, "still_present", "next_run"]
        read_only_fields = fields


class BulkResultSerializer(serializers.Serializer[Any]):
    done = serializers.ListField(child=serializers.IntegerField())
    #: Seen, but the caller may not take this action on them: left as they are.
    refused = serializers.ListField(child=serializers.IntegerField())
    #: Not among the findings the caller sees.
    not_found = serializers.ListField(child=serializers.IntegerField())
    #: Resolved, but the rule still finds their problem: the next audit run reopens them.
    still_present = serializers.ListField(child=serializers.IntegerField())
