"""The partner-performance API: scores scoped by the same `visible_to` rules as the pages,
the runs (list; portal administrators start one: 202 with its job), and the decision on a
recommendation. Routes: `urlpatterns` (/api/v1/partner-scores/)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.urls import URLPattern, URLResolver
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from training_portal.core.api.serializers import (
    JobSerializer,
    ReadOnlyModelSerializer,
    optional_text,
)
from training_portal.core.api.viewsets import (
    RecordStep,
    ScopedViewSet,
    actor,
    permitted,
    read_input,
)

from ..models import PartnerScore, PartnerScoreRun, ProbationDecision
from . import formula, permissions, services
from .filters import PartnerScoreFilter


class DecisionSerializer(ReadOnlyModelSerializer[ProbationDecision]):
    decided_by_name = serializers.CharField(source="decided_by.full_name", read_only=True)

    class Meta:
        model = ProbationDecision
        fields = ["id", "decision", "reason", "decided_by", "decided_by_name", "decided_at"]


class PartnerScoreSerializer(ReadOnlyModelSerializer[PartnerScore]):
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    run_label = serializers.CharField(source="run.label", read_only=True)
    decision = serializers.SerializerMethodField()

    class Meta:
        model = PartnerScore
        fields = [
            "id",
            "run",
            "run_label",
            "organization",
            "organization_name",
            "kind",
            "score",
            "rank",
            "in_bottom_share",
            "recommendation",
            "components",
            "inputs",
            "decision",
        ]

    def get_decision(self, score: PartnerScore) -> dict[str, Any] | None:
        decision = getattr(score, "decision", None)
        return DecisionSerializer(decision).data if decision is not None else None


class RunSerializer(ReadOnlyModelSerializer[PartnerScoreRun]):
    job = JobSerializer(read_only=True)

    class Meta:
        model = PartnerScoreRun
        fields = [
            "id",
            "label",
            "period_start",
            "period_end",
            "weights",
            "threshold",
            "bottom_share",
            "created_at",
            "finished_at",
            "job",
        ]


class StartRunSerializer(serializers.Serializer[Any]):
    label = serializers.CharField(allow_blank=True)  # type: ignore[assignment]
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    weights = serializers.DictField(required=False, allow_null=True, default=None)
    threshold = serializers.DecimalField(
        max_digits=5, decimal_places=2, required=False, allow_null=True, default=None
    )
    bottom_share = serializers.DecimalField(
        max_digits=5, decimal_places=2, required=False, allow_null=True, default=None
    )


class DecideSerializer(serializers.Serializer[Any]):
    decision = serializers.CharField(allow_blank=True)
    reason = optional_text()


#: One component of the formula ("label" is a field name a Serializer class cannot declare).
FormulaComponentSerializer = inline_serializer(
    name="FormulaComponent",
    fields={
        "key": serializers.CharField(),
        "label": serializers.CharField(),
        "description": serializers.CharField(),
        "default_weight": serializers.DecimalField(max_digits=5, decimal_places=2),
    },
)


class FormulaSerializer(serializers.Serializer[Any]):
    """The score's formula: its components, default weights and thresholds."""

    components = serializers.ListField(child=FormulaComponentSerializer)
    neutral = serializers.DecimalField(max_digits=5, decimal_places=2)
    default_threshold = serializers.DecimalField(max_digits=5, decimal_places=2)
    default_bottom_share = serializers.DecimalField(max_digits=5, decimal_places=2)


class PartnerScoreViewSet(ScopedViewSet):
    """Partner scores (?run=&kind=); `runs` lists the runs (GET) or starts one (POST, portal
    administrators: 202 with the job); `decide` records the decision on a recommendation."""

    model = PartnerScore
    related = ("run", "organization", "decision", "decision__decided_by")
    serializer_class = PartnerScoreSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = PartnerScoreFilter

    def get_queryset(self) -> QuerySet[PartnerScore]:
        return super().get_queryset().order_by("-run__period_end", "kind", "rank", "pk")

    @extend_schema(
        request=StartRunSerializer, responses={200: RunSerializer(many=True), 202: RunSerializer}
    )
    @action(detail=False, methods=["get", "post"])
    def runs(self, request: Request) -> Response:
        user = actor(request)
        if request.method == "POST":
            if not permissions.can_start_run(user):
                raise PermissionDenied
            data = read_input(request, StartRunSerializer)
            run = services.start_partner_scores(user=user, **data)
            run = PartnerScoreRun.objects.select_related("job", "job__owner").get(pk=run.pk)
            return Response(RunSerializer(run).data, status=status.HTTP_202_ACCEPTED)
        if not permissions.sees_scores(user):
            raise PermissionDenied
        runs = PartnerScoreRun.objects.select_related("job", "job__owner").order_by(
            "-period_end", "-pk"
        )
        page = self.paginate_queryset(runs)  # type: ignore[arg-type,unused-ignore]
        if page is not None:
            return self.get_paginated_response(RunSerializer(list(page), many=True).data)
        return Response(RunSerializer(runs, many=True).data)

    decide = RecordStep(
        services.decide_probation,
        "score",
        guard=permitted(permissions.can_decide),
        input=DecideSerializer,
        status_code=status.HTTP_201_CREATED,
    )

    @extend_schema(request=None, responses={200: FormulaSerializer})
    @action(detail=False, methods=["get"])
    def formula(self, request: Request) -> Response:
        """The components and default weights (for anyone signed in)."""
        return Response(
            {
                "components": [
                    {
                        "key": c.key,
                        "label": str(c.label),
                        "description": formula.describe(c),
                        "default_weight": formula.DEFAULT_WEIGHTS[c.key],
                    }
                    for c in formula.COMPONENTS
                ],
                "neutral": str(formula.NEUTRAL),
                "default_threshold": str(formula.DEFAULT_THRESHOLD),
                "default_bottom_share": str(formula.DEFAULT_BOTTOM_SHARE),
            }
        )


router = SimpleRouter()
router.register("partner-scores", PartnerScoreViewSet, basename="partner-score")

urlpatterns: list[URLPattern | URLResolver] = list(router.urls)
