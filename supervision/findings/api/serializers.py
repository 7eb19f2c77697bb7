"""Serializers of the findings API: a finding with its evidence and what the caller may do
with it, and the input of its moves and of bulk actions."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import User
from training_portal.core.api.serializers import (
    ReadOnlyModelSerializer,
    optional_ref,
    optional_text,
)

from ...models import Finding
from ...rules import rule_label
from .. import permissions, workflow
from ..services import BULK_ACTIONS, message_of, rule_of

#: Notes and justifications are prose, not documents.
TEXT_LIMIT = 10_000


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


class FindingSerializer(ReadOnlyModelSerializer[Finding]):
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
        return [
            str(status) for status in Finding.Status if status in workflow.allowed_moves(finding)
        ]

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


class BulkResultSerializer(serializers.Serializer[Any]):
    done = serializers.ListField(child=serializers.IntegerField())
    #: Seen, but the caller may not take this action on them: left as they are.
    refused = serializers.ListField(child=serializers.IntegerField())
    #: Not among the findings the caller sees.
    not_found = serializers.ListField(child=serializers.IntegerField())
    #: Resolved, but the rule still finds their problem: the next audit run reopens them.
    still_present = serializers.ListField(child=serializers.IntegerField())


# ---- Input ----------------------------------------------------------------------------------


class CorrectiveActionNoteSerializer(serializers.Serializer[Any]):
    corrective_action = optional_text(max_length=TEXT_LIMIT)


class CorrectiveActionSerializer(serializers.Serializer[Any]):
    text = serializers.CharField(allow_blank=True, max_length=TEXT_LIMIT)


class DismissalSerializer(serializers.Serializer[Any]):
    # Optional here: the service answers a missing justification with its own field error.
    justification = optional_text(max_length=TEXT_LIMIT)


class AssignmentSerializer(serializers.Serializer[Any]):
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True),
        allow_null=True,
        help_text="A user who can see the finding, or null to take the assignment away.",
    )
    due_date = serializers.DateField(required=False, allow_null=True, default=None)


class BulkActionSerializer(serializers.Serializer[Any]):
    """An action, the findings to take it on, and what the action needs."""

    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1), min_length=1, max_length=200
    )
    action = serializers.ChoiceField(choices=list(BULK_ACTIONS))
    assignee = optional_ref(
        User.objects.filter(is_active=True),
        help_text="For `assign` (required there): a user, or null to take the findings back.",
    )
    due_date = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="For `assign`."
    )
    justification = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=TEXT_LIMIT,
        help_text="For `dismiss` (required there).",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # Left out, the assignee would be "nobody": taking findings back must be said.
        if attrs["action"] == "assign" and "assignee" not in self.initial_data:
            raise serializers.ValidationError(
                {"assignee": [serializers.Field.default_error_messages["required"]]}
            )
        return attrs
