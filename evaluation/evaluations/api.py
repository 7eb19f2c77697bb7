"""The evaluations API: indicators (read, and replace a program's set), rounds (read, open,
close, results), named evaluations (read; submit against a request), and what the caller
owes. Anonymous answers are never listed nor read one by one: submitting one answers only
{"status": "submitted"}, and the results give aggregates. Routes: `urlpatterns` (router).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, URLResolver
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from programs.models import Program
from training_portal.core.api.serializers import ReadOnlyModelSerializer, optional_text
from training_portal.core.api.viewsets import ScopedViewSet, actor, answer, read_input

from ..models import Evaluation, EvaluationRequest, EvaluationRound, Indicator, Score, Source
from . import filters, permissions, services
from .services.indicators import INDICATOR_FIELDS

# ---- Serializers ---------------------------------------------------------------------------


class IndicatorSerializer(ReadOnlyModelSerializer[Indicator]):
    class Meta:
        model = Indicator
        # The fields a program's set of indicators saves (`services.save_indicators`).
        fields = ["id", "program", *INDICATOR_FIELDS]


class IndicatorRowSerializer(serializers.Serializer[Any]):
    """One row of a program's set (with "id" to keep an existing indicator)."""

    id = serializers.IntegerField(required=False, allow_null=True)
    category = serializers.ChoiceField(choices=Indicator.Category.choices)
    objective = serializers.IntegerField(required=False, allow_null=True)
    name = serializers.CharField(max_length=200)
    description = optional_text()
    weight = serializers.DecimalField(max_digits=5, decimal_places=2)
    scale_min = serializers.IntegerField(required=False, default=1)
    scale_max = serializers.IntegerField(required=False, default=5)


class IndicatorSetSerializer(serializers.Serializer[Any]):
    indicators = IndicatorRowSerializer(many=True)


class RoundSerializer(serializers.ModelSerializer[EvaluationRound]):
    program_code = serializers.CharField(source="program.code", read_only=True)
    # The service checks each source (a field error names the unknown ones); a second
    # ChoiceField over the same choices would give the schema two names for one enum.
    sources = serializers.ListField(
        child=serializers.CharField(max_length=24),
        help_text="Among: " + ", ".join(Source.values),
    )

    class Meta:
        model = EvaluationRound
        fields = [
            "id",
            "program",
            "program_code",
            "title",
            "period_start",
            "period_end",
            "deadline",
            "sources",
            "status",
            "opened_at",
            "closed_at",
        ]
        read_only_fields = ["status", "opened_at", "closed_at"]
        # The service checks the period and the deadline, with field errors.
        validators: list[Any] = []


class ScoreSerializer(ReadOnlyModelSerializer[Score]):
    class Meta:
        model = Score
        fields = ["indicator", "value"]


# `subject`: what an evaluation or a request is about, for people. No docstring: the schema
# would give it to the serializers that have none of their own.
class SubjectLabelMixin(serializers.Serializer[Any]):
    subject = serializers.SerializerMethodField()

    def get_subject(self, item: Evaluation | EvaluationRequest) -> str:
        return services.subject_label(item)


class EvaluationSerializer(SubjectLabelMixin, ReadOnlyModelSerializer[Evaluation]):
    scores = ScoreSerializer(many=True, read_only=True)
    evaluator_name = serializers.CharField(source="evaluator.full_name", read_only=True)

    class Meta:
        model = Evaluation
        fields = [
            "id",
            "round",
            "source",
            "subject_kind",
            "student",
            "tutor",
            "placement",
            "organization",
            "subject",
            "evaluator",
            "evaluator_name",
            "total",
            "comment",
            "submitted_at",
            "scores",
        ]


class SubmitSerializer(serializers.Serializer[Any]):
    request = serializers.IntegerField()
    scores = serializers.DictField(child=serializers.IntegerField())
    comment = optional_text()


class RequestSerializer(SubjectLabelMixin, ReadOnlyModelSerializer[EvaluationRequest]):
    """What someone owes; for an anonymous source also the receipt, never the answer."""

    deadline = serializers.DateField(source="round.deadline", read_only=True)
    anonymous = serializers.BooleanField(read_only=True)

    class Meta:
        model = EvaluationRequest
        fields = [
            "id",
            "round",
            "source",
            "anonymous",
            "subject_kind",
            "subject",
            "evaluator",
            "status",
            "deadline",
        ]


class MeanSerializer(serializers.Serializer[Any]):
    indicator = serializers.IntegerField(source="indicator.pk")
    mean = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)


class NamedGroupSerializer(serializers.Serializer[Any]):
    source = serializers.CharField()  # type: ignore[assignment]
    count = serializers.IntegerField()
    mean_total = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    means = MeanSerializer(many=True)


class SubjectGroupSerializer(NamedGroupSerializer):
    subject_kind = serializers.CharField()
    subject_id = serializers.IntegerField()
    label = serializers.CharField()  # type: ignore[assignment]


class AnonymousGroupSerializer(serializers.Serializer[Any]):
    source = serializers.CharField()  # type: ignore[assignment]
    subject_kind = serializers.CharField()
    subject_id = serializers.IntegerField()
    label = serializers.CharField()  # type: ignore[assignment]
    shown = serializers.BooleanField()
    awaiting_close = serializers.BooleanField(
        help_text="Enough answers, but the averages are shown only once the round is closed."
    )
    count = serializers.IntegerField(allow_null=True)
    mean_total = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    means = MeanSerializer(many=True)
    comments = serializers.ListField(child=serializers.CharField(), allow_null=True)


class ResultsSerializer(serializers.Serializer[Any]):
    min_answers = serializers.IntegerField()
    by_source = NamedGroupSerializer(many=True)
    by_subject = SubjectGroupSerializer(many=True)
    anonymous = AnonymousGroupSerializer(many=True)


# ---- Views ---------------------------------------------------------------------------------


def _visible_program(user: Any, raw: Any) -> Program:
    try:
        pk = int(str(raw))
    except (TypeError, ValueError):
        raise ApiValidationError(
            {"program": [_("Give the program's id: ?program=<id>.")]}
        ) from None
    return get_object_or_404(Program.objects.visible_to(user), pk=pk)


class IndicatorViewSet(ScopedViewSet):
    """A program's indicators (`?program=`); `PUT set/?program=<id>` replaces the whole set
    (program administrators): all rows or none, weights adding up to 100 %."""

    model = Indicator
    serializer_class = IndicatorSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = filters.IndicatorFilter

    def get_queryset(self) -> QuerySet[Indicator]:
        return super().get_queryset().order_by("program", "position", "pk")

    @extend_schema(
        request=IndicatorSetSerializer,
        parameters=[OpenApiParameter("program", int, required=True)],
        responses={200: IndicatorSerializer(many=True)},
    )
    @action(detail=False, methods=["put"], url_path="set")
    def replace_set(self, request: Request) -> Response:
        user = actor(request)
        program = _visible_program(user, request.query_params.get("program"))
        if not permissions.can_edit_indicators(user, program):
            raise PermissionDenied
        data = read_input(request, IndicatorSetSerializer)
        rows = [{**row, "position": index} for index, row in enumerate(data["indicators"])]
        try:
            saved = services.save_indicators(user=user, program=program, rows=rows)
        except ValidationError as exc:
            raise ApiValidationError(_set_errors(exc, len(rows))) from None
        return Response(IndicatorSerializer(saved, many=True).data)


def _set_errors(exc: ValidationError, count: int) -> dict[str, Any]:
    """ "<row>.<field>" keys as a list of per-row errors, the set's as non-field errors."""
    rows: list[dict[str, list[str]]] = [{} for _ in range(count)]
    general: list[str] = []
    for key, messages in exc.message_dict.items():
        index, _sep, name = key.partition(".")
        if name and index.isdigit() and int(index) < count:
            field = "non_field_errors" if name == NON_FIELD_ERRORS else name
            rows[int(index)].setdefault(field, []).extend(messages)
        else:
            general.extend(messages)
    errors: dict[str, Any] = {}
    if any(rows):
        errors["indicators"] = rows
    if general:
        errors["non_field_errors"] = general
    return errors


class EvaluationRoundViewSet(ScopedViewSet):
    """Rounds the caller may see; create opens one (program administrators), `close` closes
    it, `results` gives what the caller may see of its answers."""

    model = EvaluationRound
    related = ("program",)
    serializer_class = RoundSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = filters.EvaluationRoundFilter
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self) -> QuerySet[EvaluationRound]:
        return super().get_queryset().order_by("-opened_at", "-pk")

    @extend_schema(request=RoundSerializer, responses={201: RoundSerializer})
    def create(self, request: Request) -> Response:
        data = read_input(request, RoundSerializer)
        user = actor(request)
        # A program the caller may not see is not found (404), as on the pages.
        program = get_object_or_404(Program.objects.visible_to(user), pk=data.pop("program").pk)
        round_ = services.open_round(user=user, program=program, **data)
        return answer(self, round_, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: RoundSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str | None = None) -> Response:
        round_ = self.get_object()
        if not permissions.can_manage_round(request.user, round_):
            raise PermissionDenied
        services.close_round(user=actor(request), round_=round_)
        return answer(self, round_)

    @extend_schema(request=None, responses={200: ResultsSerializer})
    @action(detail=True, methods=["get"])
    def results(self, request: Request, pk: str | None = None) -> Response:
        round_ = self.get_object()
        found = services.round_results(user=request.user, round_=round_)
        data = {
            "min_answers": found.min_answers,
            "by_source": found.by_source,
            "by_subject": [
                {**vars(group), "subject_kind": kind, "subject_id": subject}
                for group, kind, subject in found.by_subject
            ],
            "anonymous": found.anonymous,
        }
        return Response(ResultsSerializer(data).data)


class EvaluationViewSet(ScopedViewSet):
    """Named evaluations the caller may see; create submits what the caller owes (a request
    id): a named evaluation comes back, an anonymous answer only {"status": "submitted"}."""

    model = Evaluation
    related = (
        "round__program",
        "evaluator",
        "student__user",
        "tutor__user",
        "placement__host",
        "organization",
    )
    prefetch = (Prefetch("scores", queryset=Score.objects.order_by("indicator_id")),)
    serializer_class = EvaluationSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = filters.EvaluationFilter
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self) -> QuerySet[Evaluation]:
        return super().get_queryset().order_by("-submitted_at", "-pk")

    @extend_schema(
        request=SubmitSerializer,
        responses={201: EvaluationSerializer},
    )
    def create(self, request: Request) -> Response:
        data = read_input(request, SubmitSerializer)
        user = actor(request)
        owed = get_object_or_404(EvaluationRequest.objects.visible_to(user), pk=data["request"])
        evaluation = services.submit_evaluation(
            user=user, request=owed, scores=data["scores"], comment=data["comment"]
        )
        if evaluation is None:
            return Response({"status": "submitted"}, status=status.HTTP_201_CREATED)
        return answer(self, evaluation, status.HTTP_201_CREATED)


class EvaluationRequestViewSet(ScopedViewSet):
    """What is owed: the caller's own, and their programs' for administrators. `mine` lists
    what the caller still owes in open rounds."""

    model = EvaluationRequest
    related = ("round__program", "student__user", "tutor__user", "placement__host", "organization")
    serializer_class = RequestSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = filters.EvaluationRequestFilter

    def get_queryset(self) -> QuerySet[EvaluationRequest]:
        return super().get_queryset().order_by("round_id", "pk")

    @extend_schema(request=None, responses={200: RequestSerializer(many=True)})
    @action(detail=False, methods=["get"])
    def mine(self, request: Request) -> Response:
        rows = services.owed_by(request.user)
        page = self.paginate_queryset(rows)
        if page is not None:
            return self.get_paginated_response(RequestSerializer(page, many=True).data)
        return Response(RequestSerializer(rows, many=True).data)


# ---- Routes --------------------------------------------------------------------------------

router = SimpleRouter()
router.register("indicators", IndicatorViewSet, basename="indicator")
router.register("evaluation-rounds", EvaluationRoundViewSet, basename="evaluation-round")
router.register("evaluations", EvaluationViewSet, basename="evaluation")
router.register("evaluation-requests", EvaluationRequestViewSet, basename="evaluation-request")

urlpatterns: list[URLPattern | URLResolver] = list(router.urls)
