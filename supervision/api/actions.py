"""Input serializers of the audits API's writes; the work is done by the services."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from accounts.models import User
from programs.models import Program

from ..models import Severity
from ..services import BULK_ACTIONS

#: Notes and justifications are prose, not documents.
TEXT_LIMIT = 10_000


class RuleSettingInputSerializer(serializers.Serializer[Any]):
    """The whole setting of one scope: what is left out falls back to the level above."""

    program = serializers.PrimaryKeyRelatedField(
        queryset=Program.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text="A program, or null for the portal-wide setting.",
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
    program = serializers.PrimaryKeyRelatedField(
        queryset=Program.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text="The program to audit, or null for the whole portal.",
    )
    rules = serializers.ListField(
        child=serializers.CharField(max_length=64),
        required=False,
        default=list,
        max_length=200,
        help_text="Rule codes; empty: every enabled rule.",
    )


class CorrectiveActionNoteSerializer(serializers.Serializer[Any]):
    corrective_action = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=TEXT_LIMIT
    )


class CorrectiveActionSerializer(serializers.Serializer[Any]):
    text = serializers.CharField(allow_blank=True, max_length=TEXT_LIMIT)


class DismissalSerializer(serializers.Serializer[Any]):
    # Optional here: the service answers a missing justification with its own field error.
    justification = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=TEXT_LIMIT
    )


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
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        default=None,
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
