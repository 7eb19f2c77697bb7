"""Input serializers of the programs API's writes; the work is done by the services."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from .. import models as m


class CommentSerializer(serializers.Serializer[Any]):
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class ReasonSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField()


class OverrideSerializer(serializers.Serializer[Any]):
    override_reason = serializers.CharField(required=False, allow_blank=True, default="")


class CorrectionSerializer(serializers.Serializer[Any]):
    text = serializers.CharField()


class SignOffRequestSerializer(serializers.Serializer[Any]):
    tutor = serializers.PrimaryKeyRelatedField(queryset=m.TutorProfile.objects.all())


class MilestoneSignOffSerializer(serializers.Serializer[Any]):
    completed_on = serializers.DateField()
    evidence = serializers.CharField(required=False, allow_blank=True, default="")


class PlanInputSerializer(serializers.Serializer[Any]):
    student = serializers.PrimaryKeyRelatedField(queryset=m.Student.objects.all())
    career_goal = serializers.ChoiceField(choices=m.TrainingPlan.CareerGoal.choices)
    personal_objectives = serializers.CharField()
    planned_placements = serializers.CharField(required=False, allow_blank=True, default="")
    planned_projects = serializers.CharField(required=False, allow_blank=True, default="")
    courses = serializers.PrimaryKeyRelatedField(
        queryset=m.Course.objects.all(), many=True, required=False, default=list
    )
    case_targets = serializers.DictField(
        child=serializers.IntegerField(min_value=0, max_value=100000), required=False, default=dict
    )

    def validate_case_targets(self, value: dict[str, int]) -> dict[str, int]:
        unknown = set(value) - set(m.CaseLog.Modality.values)
        if unknown:
            raise serializers.ValidationError(
                serializers.ChoiceField(choices=[])
                .error_messages["invalid_choice"]
                .format(input=sorted(unknown)[0])
            )
        return value


class CaseEntrySerializer(serializers.Serializer[Any]):
    modality = serializers.ChoiceField(choices=m.CaseLog.Modality.choices)
    procedure = serializers.CharField(max_length=200)
    count = serializers.IntegerField(min_value=1, max_value=1000)
    role = serializers.ChoiceField(choices=m.CaseLog.Role.choices)


class ProgressLogInputSerializer(serializers.Serializer[Any]):
    student = serializers.PrimaryKeyRelatedField(queryset=m.Student.objects.all())
    date = serializers.DateField()
    kind = serializers.ChoiceField(choices=m.ProgressLog.Kind.choices)
    minutes = serializers.IntegerField(min_value=1, max_value=1440)
    summary = serializers.CharField()
    shared = serializers.BooleanField(default=True)
    placement = serializers.PrimaryKeyRelatedField(
        queryset=m.Placement.objects.all(), required=False, allow_null=True, default=None
    )
    cases = CaseEntrySerializer(many=True, required=False, default=list)


class CaseLogInputSerializer(serializers.Serializer[Any]):
    student = serializers.PrimaryKeyRelatedField(queryset=m.Student.objects.all())
    date = serializers.DateField()
    modality = serializers.ChoiceField(choices=m.CaseLog.Modality.choices)
    procedure = serializers.CharField(max_length=200)
    count = serializers.IntegerField(min_value=1, max_value=1000)
    role = serializers.ChoiceField(choices=m.CaseLog.Role.choices)
    placement = serializers.PrimaryKeyRelatedField(
        queryset=m.Placement.objects.all(), required=False, allow_null=True, default=None
    )


class ExpenditureInputSerializer(serializers.Serializer[Any]):
    line = serializers.PrimaryKeyRelatedField(queryset=m.BudgetLine.objects.all())
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    spent_on = serializers.DateField()
    category = serializers.ChoiceField(choices=m.BudgetLine.Category.choices)
    payee = serializers.CharField(max_length=200)
    description = serializers.CharField()
    receipt = serializers.FileField(required=False, allow_null=True, default=None)
