"""Serializers of the internal-supervision API: review meetings (read and write with one
serializer), the rating a student submits, and the aggregates (never single answers)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from accounts.models import User
from programs.models import Organization, Program, TutorProfile
from training_portal.core.api.serializers import ReadOnlyModelSerializer, optional_text

from ..findings.services import message_of
from ..models import Finding, ReviewMeeting
from ..models.internal import COMMENT_MAX_LENGTH


class LinkedFindingSerializer(ReadOnlyModelSerializer[Finding]):
    message = serializers.SerializerMethodField()

    class Meta:
        model = Finding
        fields = ["id", "rule", "severity", "status", "message"]

    def get_message(self, finding: Finding) -> str:
        return message_of(finding)


class PersonSerializer(ReadOnlyModelSerializer[User]):
    class Meta:
        model = User
        fields = ["id", "full_name"]


class ReviewMeetingSerializer(serializers.ModelSerializer[ReviewMeeting]):
    """Ids to write people, organisations and findings; `linked_findings` lists only the
    findings the caller can see."""

    program_code = serializers.CharField(source="program.code", read_only=True)
    participants: Any = serializers.PrimaryKeyRelatedField(
        many=True, queryset=User.objects.none(), required=False
    )
    participant_names = PersonSerializer(source="participants", many=True, read_only=True)
    organizations: Any = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Organization.objects.none(), required=False
    )
    findings: Any = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Finding.objects.none(), required=False, write_only=True
    )
    linked_findings = LinkedFindingSerializer(source="visible_findings", many=True, read_only=True)
    chair_name = serializers.CharField(source="chair.full_name", read_only=True)

    class Meta:
        model = ReviewMeeting
        fields = [
            "id",
            "program",
            "program_code",
            "title",
            "kind",
            "status",
            "held_on",
            "chair",
            "chair_name",
            "participants",
            "participant_names",
            "organizations",
            "findings",
            "linked_findings",
            "criticism",
            "review_record",
            "corrective_actions",
            "action_owner",
            "actions_due_on",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_by", "created_at", "updated_at"]
        extra_kwargs = {
            "chair": {"queryset": User.objects.none()},
            "action_owner": {"queryset": User.objects.none()},
            "program": {"queryset": Program.objects.none()},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is None:
            return
        people = User.objects.filter(is_active=True)
        fields: Any = self.fields
        fields["chair"].queryset = people
        fields["action_owner"].queryset = people
        fields["participants"].child_relation.queryset = people
        fields["organizations"].child_relation.queryset = Organization.objects.all()
        fields["findings"].child_relation.queryset = Finding.objects.visible_to(user)
        fields["program"].queryset = Program.objects.visible_to(user)


class RatingInputSerializer(serializers.Serializer[Any]):
    """A student's answer; the tutors are theirs (a practice tutor is named only when they
    have several)."""

    academic_tutor_score = serializers.IntegerField(
        min_value=1, max_value=5, required=False, allow_null=True
    )
    practice_tutor = serializers.PrimaryKeyRelatedField(
        queryset=TutorProfile.objects.none(), required=False, allow_null=True
    )
    practice_tutor_score = serializers.IntegerField(
        min_value=1, max_value=5, required=False, allow_null=True
    )
    program_support_score = serializers.IntegerField(min_value=1, max_value=5)
    comment = optional_text(max_length=COMMENT_MAX_LENGTH)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            field: Any = self.fields["practice_tutor"]
            field.queryset = TutorProfile.objects.visible_to(request.user)


class RatingStatusSerializer(serializers.Serializer[Any]):
    """Whether the caller has answered for the current term (and may answer at all)."""

    term = serializers.CharField()
    can_answer = serializers.BooleanField()
    answered = serializers.BooleanField()


class TutorAggregateSerializer(serializers.Serializer[Any]):
    program = serializers.IntegerField(source="program_id")
    program_code = serializers.CharField()
    term = serializers.CharField()
    tutor = serializers.IntegerField(source="tutor_id")
    tutor_name = serializers.CharField()
    role = serializers.CharField(help_text="academic or practice")
    shown = serializers.BooleanField(help_text="False under the minimum number of answers.")
    answers = serializers.IntegerField(allow_null=True)
    average = serializers.DecimalField(max_digits=3, decimal_places=2, allow_null=True)


class ProgramAggregateSerializer(serializers.Serializer[Any]):
    program = serializers.IntegerField(source="program_id")
    program_code = serializers.CharField()
    term = serializers.CharField()
    shown = serializers.BooleanField(help_text="False under the minimum number of answers.")
    answers = serializers.IntegerField(allow_null=True)
    academic_tutor_average = serializers.DecimalField(
        max_digits=3, decimal_places=2, allow_null=True
    )
    practice_tutor_average = serializers.DecimalField(
        max_digits=3, decimal_places=2, allow_null=True
    )
    program_support_average = serializers.DecimalField(
        max_digits=3, decimal_places=2, allow_null=True
    )
    comments = serializers.ListField(child=serializers.CharField(), allow_null=True)


class RatingAggregatesSerializer(serializers.Serializer[Any]):
    term = serializers.CharField(allow_blank=True, help_text="The term asked for ('' for all).")
    min_answers = serializers.IntegerField()
    tutors = TutorAggregateSerializer(many=True)
    programs = ProgramAggregateSerializer(many=True)
