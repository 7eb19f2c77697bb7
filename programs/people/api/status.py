"""The student status lifecycle in the API: `POST /students/{id}/<action>/` for each action of
the transition table, the decision on a request, the graduate's destination and follow-up,
and the status history. Every read of the record is logged (`records.api.RecordReads`)."""

from __future__ import annotations

from typing import Any, cast

from django.core.exceptions import PermissionDenied
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from training_portal.core.api.serializers import optional_ref, optional_text
from training_portal.core.api.viewsets import DetailAction, actor, read_input

from ... import models as m
from ...records.api import RecordReads
from ..services import student_status
from ..workflow import TRANSITIONS, standing

# ---- Input ------------------------------------------------------------------------------------


class StatusChangeInputSerializer(serializers.Serializer[Any]):
    """The inputs of every action; each action reads those it takes (see the transition table)."""

    reason = optional_text()
    starts_on = serializers.DateField(required=False, allow_null=True, default=None)
    ends_on = serializers.DateField(required=False, allow_null=True, default=None)
    shift_days = serializers.IntegerField(required=False, allow_null=True, default=None)
    tutor = optional_ref(m.TutorProfile.objects.all())
    replaces = optional_ref(m.TutorAssignment.objects.all())
    over_capacity_reason = optional_text()


class DecisionInputSerializer(serializers.Serializer[Any]):
    change = serializers.PrimaryKeyRelatedField(queryset=m.StudentStatusChange.objects.all())
    decision = serializers.ChoiceField(choices=[("approve", "approve"), ("refuse", "refuse")])
    note = optional_text()


class DestinationInputSerializer(serializers.Serializer[Any]):
    employer = optional_text()
    kind = optional_text()
    region = optional_text()
    relevance = optional_text()


class FollowUpInputSerializer(serializers.Serializer[Any]):
    still_there = serializers.BooleanField(required=False, allow_null=True, default=None)
    current_employer = optional_text()
    current_relevance = optional_text()
    note = optional_text()


# ---- Output -----------------------------------------------------------------------------------


class StatusChangeSerializer(serializers.ModelSerializer[m.StudentStatusChange]):
    requested_by = serializers.CharField(source="requested_by.full_name", read_only=True)
    decided_by = serializers.CharField(
        source="decided_by.full_name", read_only=True, allow_null=True, default=None
    )
    student_status = serializers.CharField(source="student.status", read_only=True)

    class Meta:
        model = m.StudentStatusChange
        fields = [
            "id",
            "student",
            "kind",
            "decision",
            "from_status",
            "to_status",
            "student_status",
            "starts_on",
            "ends_on",
            "shift_days",
            "new_tutor",
            "reason",
            "requested_by",
            "requested_at",
            "decided_by",
            "decided_at",
            "decision_note",
            "awaiting_start",
        ]


class DestinationSerializer(serializers.ModelSerializer[m.GraduateDestination]):
    # The same choices as `relevance` (one enum in the schema, not two names for it).
    current_relevance = serializers.CharField(read_only=True)

    class Meta:
        model = m.GraduateDestination
        fields = [
            "student",
            "employer",
            "kind",
            "region",
            "relevance",
            "recorded_at",
            "follow_up_due",
            "followed_up_at",
            "still_there",
            "current_employer",
            "current_relevance",
            "follow_up_note",
        ]


# ---- The viewset's actions --------------------------------------------------------------------


class StatusChange(DetailAction):
    """The student's status change named like the action (`TRANSITIONS`; `change_tutor` is
    "change-tutor", as is its URL), answered with the change."""

    dashed_urls = True

    def __init__(self, **options: Any) -> None:
        super().__init__(
            input=StatusChangeInputSerializer, responses={200: StatusChangeSerializer}, **options
        )

    def run(self, viewset: Any, request: Request, name: str) -> Response:
        return cast(Response, viewset._change(request, name.replace("_", "-")))


class StudentStatusActions(RecordReads):
    """Mixed into the students viewset (whose `get_object` is scoped by `visible_to`)."""

    def _change(self, request: Request, name: str) -> Response:
        student = self.get_object()
        transition = TRANSITIONS[name]
        serializer = StatusChangeInputSerializer(data=request.data)
        tutor_field = cast(Any, serializer.fields["tutor"])
        tutor_field.queryset = m.TutorProfile.objects.filter(is_active=True)
        replaces_field = cast(Any, serializer.fields["replaces"])
        replaces_field.queryset = m.TutorAssignment.objects.filter(student=student)
        serializer.is_valid(raise_exception=True)
        data = {k: v for k, v in serializer.validated_data.items() if k in transition.fields}
        change = student_status.change_student_status(
            user=actor(request), student=student, action=name, **data
        )
        return Response(StatusChangeSerializer(change).data)

    suspend = StatusChange()
    resume = StatusChange()
    extend = StatusChange()
    withdraw = StatusChange()
    change_tutor = StatusChange()
    graduate = StatusChange()

    @extend_schema(request=DecisionInputSerializer, responses={200: StatusChangeSerializer})
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: str | None = None) -> Response:
        student = self.get_object()
        serializer = DecisionInputSerializer(data=request.data)
        change_field = cast(Any, serializer.fields["change"])
        change_field.queryset = m.StudentStatusChange.objects.filter(student=student)
        serializer.is_valid(raise_exception=True)
        change = serializer.validated_data["change"]
        change.student = student
        decided = student_status.decide_status_request(
            user=actor(request),
            change=change,
            approve=serializer.validated_data["decision"] == "approve",
            note=serializer.validated_data["note"],
        )
        return Response(StatusChangeSerializer(decided).data)

    @extend_schema(responses={200: StatusChangeSerializer(many=True)})
    @action(detail=True, methods=["get"], url_path="status-changes", url_name="status-changes")
    def status_changes(self, request: Request, pk: str | None = None) -> Response:
        student = self._read(request)
        if not any(standing(request.user, student)):
            raise PermissionDenied  # reasons stay within the circle of care
        rows = (
            m.StudentStatusChange.objects.filter(student=student)
            .select_related("student", "requested_by", "decided_by")
            .order_by("-requested_at", "-id")
        )
        return Response(StatusChangeSerializer(rows, many=True).data)

    def _record(self, request: Request, service: Any, input: Any) -> Response:
        """The graduate's destination as `service` records it from the `input`."""
        student = self.get_object()
        destination = service(user=actor(request), student=student, **read_input(request, input))
        return Response(DestinationSerializer(destination).data)

    @extend_schema(request=DestinationInputSerializer, responses={200: DestinationSerializer})
    @action(detail=True, methods=["get", "post"])
    def destination(self, request: Request, pk: str | None = None) -> Response:
        if request.method == "GET":
            student = self._read(request)
            found = m.GraduateDestination.objects.filter(student=student).first()
            if found is None:
                raise Http404
            return Response(DestinationSerializer(found).data)
        return self._record(request, student_status.record_destination, DestinationInputSerializer)

    @extend_schema(request=FollowUpInputSerializer, responses={200: DestinationSerializer})
    @action(detail=True, methods=["post"], url_path="follow-up", url_name="follow-up")
    def follow_up(self, request: Request, pk: str | None = None) -> Response:
        return self._record(request, student_status.record_follow_up, FollowUpInputSerializer)
