"""The API of placements: planned by the program's administrators, then confirmed, started,
completed with the host's evaluation, or cancelled."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from programs.placements import services as placements
from training_portal.core.api.serializers import (
    ReadOnlyModelSerializer,
    optional_ref,
    optional_text,
)
from training_portal.core.api.viewsets import ScopedViewSet, actor, answer

from .. import models as m
from ..api_common import ReasonSerializer, creates, read_scoped_input, step
from .filters import PlacementFilter

# ---- Serializers ------------------------------------------------------------------------------


class PlacementSerializer(ReadOnlyModelSerializer[m.Placement]):
    host_name = serializers.CharField(source="host.name", read_only=True)
    confirmed_by = serializers.EmailField(source="confirmed_by.email", read_only=True, default=None)
    completed_by = serializers.EmailField(source="completed_by.email", read_only=True, default=None)
    cancelled_by = serializers.EmailField(source="cancelled_by.email", read_only=True, default=None)
    #: Places the host offers the student's program (null: not a partner) and those taken by
    #: planned and active placements overlapping this one's period (this one included).
    places_offered = serializers.IntegerField(read_only=True, allow_null=True)
    places_used = serializers.IntegerField(read_only=True)

    class Meta:
        model = m.Placement
        fields = [
            "id",
            "student",
            "host",
            "host_name",
            "practice_tutor",
            "start_date",
            "end_date",
            "objectives",
            "status",
            "confirmed_by",
            "confirmed_at",
            "capacity_override_reason",
            "places_offered",
            "places_used",
            "rating",
            "host_evaluation",
            "completed_by",
            "completed_at",
            "cancel_reason",
            "cancelled_by",
            "cancelled_at",
        ]


# ---- Inputs -----------------------------------------------------------------------------------


# The terms of a placement, planned or changed while planned. No docstring: the schema would
# give it to the serializers below that have none of their own.
class _PlacementTerms(serializers.Serializer[Any]):
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    objectives = serializers.CharField()
    practice_tutor = optional_ref(m.TutorProfile.objects.all())
    capacity_override_reason = optional_text()


class PlacementInputSerializer(_PlacementTerms):
    student = serializers.PrimaryKeyRelatedField(queryset=m.Student.objects.all())
    host = serializers.PrimaryKeyRelatedField(queryset=m.Organization.objects.all())


class PlacementEditSerializer(_PlacementTerms):
    """A planned placement's dates, practice tutor and objectives (the host stays)."""


class PlacementStartSerializer(serializers.Serializer[Any]):
    capacity_override_reason = optional_text()


class PlacementCompleteSerializer(serializers.Serializer[Any]):
    rating = serializers.IntegerField(min_value=1, max_value=5)
    evaluation = serializers.CharField()


# ---- Viewsets ---------------------------------------------------------------------------------


class PlacementViewSet(ScopedViewSet):
    model = m.Placement
    serializer_class = PlacementSerializer
    related = ("host", "confirmed_by", "completed_by", "cancelled_by")
    filterset_class = PlacementFilter
    ordering_fields = ["start_date", "end_date"]

    def get_queryset(self) -> QuerySet[Any]:
        return cast(Any, super().get_queryset()).with_capacity()


class PlacementWrites(PlacementViewSet, viewsets.GenericViewSet[Any]):
    """The lifecycle of `services.placements.TRANSITIONS`: edit (planned), start (= confirm),
    complete with the host's evaluation, cancel with a reason."""

    def get_queryset(self) -> QuerySet[Any]:
        return super().get_queryset().select_related("student__program", "practice_tutor")

    confirm = step(placements.confirm_placement, "placement")

    @extend_schema(request=PlacementEditSerializer, responses={200: PlacementSerializer})
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        placement = self.get_object()
        data = read_scoped_input(request, PlacementEditSerializer)
        return answer(
            self, placements.update_placement(user=actor(request), placement=placement, **data)
        )

    start = step(placements.start_placement, "placement", input=PlacementStartSerializer)
    complete = step(placements.complete_placement, "placement", input=PlacementCompleteSerializer)
    cancel = step(placements.cancel_placement, "placement", input=ReasonSerializer)


class PlacementCreateWrites(PlacementWrites):
    """Placements are planned by the program's administrators, then confirmed by the host."""

    create = creates(placements.create_placement, PlacementInputSerializer)


router = SimpleRouter()
router.register("placements", PlacementCreateWrites, basename="placement")

urlpatterns = list(router.urls)
