"""The internal-supervision API: review meetings scoped by the same `visible_to` rules as the
pages; students submit their rating; aggregates for those who may see them."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import filters, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from training_portal.core.api.viewsets import actor

from ..models import ReviewMeeting, SupervisionRating
from . import aggregates, permissions, services
from . import serializers as s
from .views import visible_meetings

#: The fields of a meeting that the services take (all of them on every write).
MEETING_FIELDS = (
    "title",
    "kind",
    "status",
    "held_on",
    "chair",
    "participants",
    "organizations",
    "findings",
    "criticism",
    "review_record",
    "corrective_actions",
    "action_owner",
    "actions_due_on",
)


class ReviewMeetingViewSet(viewsets.ReadOnlyModelViewSet[ReviewMeeting]):
    """Review meetings: recorded by a program's administrators or a taking-part organisation's
    coordinators (create), changed by whoever may edit them (partial update)."""

    serializer_class = s.ReviewMeetingSerializer
    filter_backends = [DjangoFilterBackend, filters.OrderingFilter]
    filterset_fields = ["program", "kind", "status"]
    ordering_fields = ["held_on", "created_at"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[ReviewMeeting]:
        return visible_meetings(self.request.user).order_by("-held_on", "-pk")

    def _answer(self, meeting: ReviewMeeting, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=meeting.pk)
        return Response(self.get_serializer(fresh).data, status=code)

    @extend_schema(request=s.ReviewMeetingSerializer, responses={201: s.ReviewMeetingSerializer})
    def create(self, request: Request) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        program = data.pop("program")
        meeting = services.create_review_meeting(
            user=actor(request), program=program, **_meeting_fields(data)
        )
        return self._answer(meeting, status.HTTP_201_CREATED)

    @extend_schema(request=s.ReviewMeetingSerializer, responses={200: s.ReviewMeetingSerializer})
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        meeting = self.get_object()
        if not permissions.can_edit_meeting(request.user, meeting):
            raise PermissionDenied
        serializer = self.get_serializer(meeting, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        program = data.pop("program", meeting.program)
        if program.pk != meeting.program_id:
            raise ValidationError({"program": [_("A meeting stays in the program it belongs to.")]})
        current = {
            "title": meeting.title,
            "kind": meeting.kind,
            "status": meeting.status,
            "held_on": meeting.held_on,
            "chair": meeting.chair,
            "participants": list(meeting.participants.all()),
            "organizations": list(meeting.organizations.all()),
            "findings": list(meeting.visible_findings),  # type: ignore[attr-defined]
            "criticism": meeting.criticism,
            "review_record": meeting.review_record,
            "corrective_actions": meeting.corrective_actions,
            "action_owner": meeting.action_owner,
            "actions_due_on": meeting.actions_due_on,
        }
        current.update(data)
        services.update_review_meeting(
            user=actor(request), meeting=meeting, **_meeting_fields(current)
        )
        return self._answer(meeting)


def _meeting_fields(data: dict[str, Any]) -> dict[str, Any]:
    return {name: data[name] for name in MEETING_FIELDS if name in data}


class SupervisionRatingViewSet(viewsets.GenericViewSet[Any]):
    """Students submit their anonymous rating once per term (create); `mine` says whether
    they have; `aggregates` gives the aggregates the caller may see, never single answers."""

    serializer_class = s.RatingInputSerializer
    pagination_class = None

    def get_queryset(self) -> QuerySet[Any]:
        # Single ratings are never read through the API.
        return SupervisionRating.objects.none()

    @extend_schema(request=s.RatingInputSerializer, responses={201: s.RatingStatusSerializer})
    def create(self, request: Request) -> Response:
        if not permissions.rates_supervision(request.user):
            raise PermissionDenied
        serializer = s.RatingInputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        services.submit_supervision_rating(user=actor(request), **serializer.validated_data)
        return Response(_status_of(actor(request)), status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: s.RatingStatusSerializer})
    @action(detail=False, methods=["get"])
    def mine(self, request: Request) -> Response:
        if not permissions.rates_supervision(request.user):
            raise PermissionDenied
        return Response(_status_of(actor(request)))

    @extend_schema(
        request=None,
        parameters=[OpenApiParameter("term", str, description="e.g. 2026-spring")],
        responses={200: s.RatingAggregatesSerializer},
    )
    @action(detail=False, methods=["get"])
    def aggregates(self, request: Request) -> Response:
        user = actor(request)
        if not permissions.sees_rating_aggregates(user):
            raise PermissionDenied
        term = str(request.query_params.get("term", "")).strip()
        data = {
            "term": term,
            "min_answers": services.MIN_ANSWERS,
            "tutors": aggregates.tutor_aggregates(user, term),
            "programs": aggregates.program_aggregates(user, term),
        }
        return Response(s.RatingAggregatesSerializer(data).data)


def _status_of(user: User) -> dict[str, Any]:
    found = services.rating_status(user)
    if found is None:
        return {"term": services.current_term(), "can_answer": False, "answered": False}
    return {"term": found.term, "can_answer": not found.answered, "answered": found.answered}
