"""The reward-ledger API: entries scoped by the same `visible_to` rules as the pages, the
reversal of an award, and the totals and leaderboard of what the caller sees. Routes:
`urlpatterns` (/api/v1/reward-entries/)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import URLPattern, URLResolver
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from programs.models import Program
from training_portal.core.api.pagination import PagePagination, cursor_pages
from training_portal.core.api.serializers import ReadOnlyModelSerializer, optional_text
from training_portal.core.api.viewsets import RecordStep, ScopedViewSet, permitted

from ..models import RewardEntry
from . import permissions, services
from .filters import RewardEntryFilter
from .forms import LedgerFilterForm


class RewardEntrySerializer(ReadOnlyModelSerializer[RewardEntry]):
    program_code = serializers.CharField(source="program.code", read_only=True)
    project_title = serializers.CharField(source="project.title", read_only=True)
    project_size = serializers.CharField(source="project.size", read_only=True)
    user_name = serializers.SerializerMethodField()
    organization_name = serializers.CharField(
        source="organization.name", read_only=True, default=None
    )
    reversed_by = serializers.SerializerMethodField()

    class Meta:
        model = RewardEntry
        fields = [
            "id",
            "program",
            "program_code",
            "project",
            "project_title",
            "project_size",
            "user",
            "user_name",
            "organization",
            "organization_name",
            "kind",
            "points",
            "earned_on",
            "reverses",
            "reversed_by",
            "reason",
            "created_by",
            "created_at",
        ]

    def get_user_name(self, entry: RewardEntry) -> str | None:
        return str(entry.user) if entry.user is not None else None

    def get_reversed_by(self, entry: RewardEntry) -> int | None:
        reversal = getattr(entry, "reversed_by", None)
        return reversal.pk if reversal is not None else None


class ReverseSerializer(serializers.Serializer[Any]):
    reason = optional_text()


class TotalSerializer(serializers.Serializer[Any]):
    rank = serializers.IntegerField()
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    kind = serializers.CharField(source="detail")
    entries = serializers.IntegerField()
    points = serializers.DecimalField(max_digits=12, decimal_places=2)


PERIOD_PARAMETERS = [
    OpenApiParameter("kind", str, enum=list(services.KINDS)),
    OpenApiParameter("program", int),
    OpenApiParameter("year", int),
    OpenApiParameter("start", str, description="YYYY-MM-DD"),
    OpenApiParameter("end", str, description="YYYY-MM-DD"),
]


class RewardEntryViewSet(ScopedViewSet):
    """Ledger entries (read only: the ledger is append-only); `reverse` cancels an award
    with a reason; `totals` and `leaderboard` rank the entries the caller sees."""

    model = RewardEntry
    related = (
        "program",
        "project",
        "user",
        "organization",
        "reverses",
        "reversed_by",
        "created_by",
    )
    serializer_class = RewardEntrySerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = RewardEntryFilter
    pagination_class = cursor_pages("-earned_on", "-id")

    def get_queryset(self) -> QuerySet[RewardEntry]:
        return super().get_queryset().order_by("-earned_on", "-pk")

    reverse = RecordStep(
        services.reverse_entry,
        "entry",
        guard=permitted(permissions.can_reverse_entry),
        input=ReverseSerializer,
        status_code=status.HTTP_201_CREATED,
        answers_result=True,
    )

    def _totals(self, request: Request) -> list[services.Total]:
        form = LedgerFilterForm(
            request.query_params,
            programs=Program.objects.visible_to(request.user),
        )
        if not form.is_valid():
            raise serializers.ValidationError(
                {k: [str(e) for e in v] for k, v in form.errors.items()}
            )
        return services.leaderboard(
            request.user,
            kind=form.chosen_kind(),
            program=form.chosen_program(),
            period=form.period(),
        )

    @extend_schema(parameters=PERIOD_PARAMETERS, responses={200: TotalSerializer(many=True)})
    @action(detail=False, methods=["get"])
    def totals(self, request: Request) -> Response:
        rows = sorted(self._totals(request), key=lambda row: (row.name, row.pk))
        return Response(TotalSerializer(rows, many=True).data)

    @extend_schema(parameters=PERIOD_PARAMETERS, responses={200: TotalSerializer(many=True)})
    @action(detail=False, methods=["get"], pagination_class=PagePagination)
    def leaderboard(self, request: Request) -> Response:
        rows = self._totals(request)
        page = self.paginate_queryset(rows)  # type: ignore[arg-type,unused-ignore]
        if page is not None:
            return self.get_paginated_response(TotalSerializer(page, many=True).data)
        return Response(TotalSerializer(rows, many=True).data)


router = SimpleRouter()
router.register("reward-entries", RewardEntryViewSet, basename="reward-entry")

urlpatterns: list[URLPattern | URLResolver] = list(router.urls)
