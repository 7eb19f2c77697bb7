"""The API of training: training plans and their lifecycle, milestones and their sign-off,
progress logs and case logs."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.http import FileResponse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from programs.training.permissions import is_student
from programs.training.services import logs, signoff, training
from training_portal.core.api.pagination import PagePagination, cursor_pages
from training_portal.core.api.serializers import (
    ReadOnlyModelSerializer,
    optional_ref,
    optional_text,
)
from training_portal.core.api.viewsets import RecordStep, ScopedViewSet, actor, answer, read_input
from training_portal.core.files import serve_file, uploaded_name
from training_portal.core.permissions import Predicate

from .. import models as m
from ..api_common import (
    FILE,
    VISIBLE_INPUTS,
    CommentSerializer,
    DownloadUrlsMixin,
    ReasonSerializer,
    creates,
    step,
)
from .filters import CaseLogFilter, MilestoneFilter, ProgressLogFilter, TrainingPlanFilter
from .workflow import TRANSITIONS

# ---- Serializers ------------------------------------------------------------------------------


class PlanTransitionSerializer(serializers.ModelSerializer[m.PlanTransition]):
    by = serializers.EmailField(source="by.email", read_only=True)

    class Meta:
        model = m.PlanTransition
        fields = ["from_status", "to_status", "by", "at", "comment"]


class CaseTargetSerializer(serializers.ModelSerializer[m.PlanCaseTarget]):
    class Meta:
        model = m.PlanCaseTarget
        fields = ["modality", "target"]


class TrainingPlanSerializer(serializers.ModelSerializer[m.TrainingPlan]):
    transitions = PlanTransitionSerializer(many=True, read_only=True)
    case_targets = CaseTargetSerializer(many=True, read_only=True)
    courses: Any = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = m.TrainingPlan
        fields = [
            "id",
            "student",
            "version",
            "status",
            *training.PLAN_FIELDS,
            "transitions",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["student", "version", "status", "created_at", "updated_at"]


class MilestoneSerializer(DownloadUrlsMixin, ReadOnlyModelSerializer[m.Milestone]):
    signed_off_by = serializers.EmailField(
        source="signed_off_by.email", read_only=True, default=None
    )
    evidence_file_url = serializers.SerializerMethodField()

    class Meta:
        model = m.Milestone
        fields = [
            "id",
            "student",
            "template",
            "kind",
            "title",
            "due_date",
            "completed_on",
            "evidence",
            "evidence_file_url",
            "signed_off_by",
            "signed_off_at",
        ]

    def get_evidence_file_url(self, milestone: m.Milestone) -> str | None:
        return self._download(
            "api:milestone-evidence-file", milestone.pk, present=milestone.evidence_file
        )


class ProgressLogSerializer(serializers.ModelSerializer[m.ProgressLog]):
    author = serializers.EmailField(source="author.email", read_only=True)

    class Meta:
        model = m.ProgressLog
        fields = [
            "id",
            "student",
            "author",
            "date",
            "kind",
            "minutes",
            "summary",
            "shared",
            "milestone",
            "project",
            "placement",
            "created_at",
            "acknowledged_at",
            "student_comment",
            "confirmed_at",
        ]
        read_only_fields = [
            "author",
            "created_at",
            "acknowledged_at",
            "student_comment",
            "confirmed_at",
        ]


class CaseLogSerializer(serializers.ModelSerializer[m.CaseLog]):
    #: pending (for the tutor), queried (waiting for the student), rejected or verified.
    review_state = serializers.CharField(read_only=True)

    class Meta:
        model = m.CaseLog
        fields = [
            "id",
            "student",
            "date",
            "modality",
            "procedure",
            "count",
            "role",
            "placement",
            "progress_log",
            "verified_at",
            "review_state",
            "query",
            "queried_at",
            "answer",
            "rejection_reason",
            "rejected_at",
        ]
        read_only_fields = [
            "verified_at",
            "progress_log",
            "query",
            "queried_at",
            "answer",
            "rejection_reason",
            "rejected_at",
        ]


# ---- Inputs -----------------------------------------------------------------------------------


class PlanInputSerializer(serializers.Serializer[Any]):
    student = serializers.PrimaryKeyRelatedField(queryset=m.Student.objects.all())
    career_goal = serializers.ChoiceField(choices=m.TrainingPlan.CareerGoal.choices)
    personal_objectives = serializers.CharField()
    planned_placements = optional_text()
    planned_projects = optional_text()
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


class MilestoneSignOffSerializer(serializers.Serializer[Any]):
    completed_on = serializers.DateField()
    evidence = optional_text()


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
    placement = optional_ref(m.Placement.objects.all())
    cases = CaseEntrySerializer(many=True, required=False, default=list)


class CorrectionSerializer(serializers.Serializer[Any]):
    text = serializers.CharField()


class SignOffRequestSerializer(serializers.Serializer[Any]):
    tutor = serializers.PrimaryKeyRelatedField(queryset=m.TutorProfile.objects.all())


class CaseLogInputSerializer(serializers.Serializer[Any]):
    student = serializers.PrimaryKeyRelatedField(queryset=m.Student.objects.all())
    date = serializers.DateField()
    modality = serializers.ChoiceField(choices=m.CaseLog.Modality.choices)
    procedure = serializers.CharField(max_length=200)
    count = serializers.IntegerField(min_value=1, max_value=1000)
    role = serializers.ChoiceField(choices=m.CaseLog.Role.choices)
    placement = optional_ref(m.Placement.objects.all())


class CaseQuestionSerializer(serializers.Serializer[Any]):
    question = serializers.CharField()


class CaseAnswerSerializer(serializers.Serializer[Any]):
    """The student's answer, and the corrections they make (only the fields given change)."""

    answer = optional_text()
    date = serializers.DateField(required=False)
    modality = serializers.ChoiceField(choices=m.CaseLog.Modality.choices, required=False)
    procedure = serializers.CharField(max_length=200, required=False)
    count = serializers.IntegerField(required=False)
    role = serializers.ChoiceField(choices=m.CaseLog.Role.choices, required=False)


# ---- Viewsets ---------------------------------------------------------------------------------


class TrainingPlanViewSet(ScopedViewSet):
    model = m.TrainingPlan
    serializer_class = TrainingPlanSerializer
    prefetch = (
        "courses",
        "case_targets",
        Prefetch("transitions", queryset=m.PlanTransition.objects.select_related("by")),
    )
    filterset_class = TrainingPlanFilter
    ordering_fields = ["version", "updated_at"]


class MilestoneViewSet(ScopedViewSet):
    model = m.Milestone
    serializer_class = MilestoneSerializer
    related = ("signed_off_by",)
    filterset_class = MilestoneFilter
    ordering_fields = ["due_date", "completed_on"]
    # Grouped by student as the model orders them, by the indexed column rather than the
    # student number (a join that no index can page through).
    pagination_class = cursor_pages("student_id", "due_date", "id")

    @extend_schema(responses={200: FILE})
    @action(detail=True, methods=["get"], url_path="evidence-file", url_name="evidence-file")
    def evidence_file(self, request: Request, pk: str | None = None) -> FileResponse:
        """The evidence file kept at sign-off."""
        milestone = self.get_object()
        return serve_file(milestone.evidence_file, filename=uploaded_name(milestone.evidence_file))


class ProgressLogViewSet(ScopedViewSet):
    model = m.ProgressLog
    serializer_class = ProgressLogSerializer
    related = ("author",)
    filterset_class = ProgressLogFilter
    ordering_fields = ["date", "minutes", "created_at"]
    pagination_class = cursor_pages("-date", "-id")


class CaseLogViewSet(ScopedViewSet):
    model = m.CaseLog
    serializer_class = CaseLogSerializer
    filterset_class = CaseLogFilter
    ordering_fields = ["date", "count"]
    pagination_class = cursor_pages("-date", "-id")


def plan_step(name: str, **options: Any) -> RecordStep:
    """The plan's transition `name` of `programs.training.workflow.TRANSITIONS`."""
    _allowed, service = TRANSITIONS[name]
    return step(service, "plan", **options)


class TrainingPlanWrites(TrainingPlanViewSet, viewsets.GenericViewSet[Any]):
    """Plans are drafted by their student and move through submit → tutor-approve → approve."""

    create = creates(training.draft_plan, PlanInputSerializer, scoped=VISIBLE_INPUTS)

    @extend_schema(request=PlanInputSerializer, responses={200: TrainingPlanSerializer})
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        plan = self.get_object()
        data = read_input(request, PlanInputSerializer, scoped=VISIBLE_INPUTS)
        data.pop("student", None)
        return answer(self, training.update_plan(user=actor(request), plan=plan, **data))

    submit = plan_step("submit")
    tutor_approve = plan_step("tutor_approve", url_path="tutor-approve")
    approve = plan_step("approve")
    return_to_student = plan_step("return", input=CommentSerializer, url_path="return")
    revise = plan_step("revise", status_code=status.HTTP_201_CREATED, answers_result=True)


class MilestoneWrites(MilestoneViewSet, viewsets.GenericViewSet[Any]):
    sign_off = step(
        training.sign_off_milestone,
        "milestone",
        input=MilestoneSignOffSerializer,
        url_path="sign-off",
    )


class ProgressLogWrites(ProgressLogViewSet, viewsets.GenericViewSet[Any]):
    """Tutors write logs (with the cases of the session); students acknowledge shared ones."""

    create = creates(logs.write_progress_log, ProgressLogInputSerializer, scoped=VISIBLE_INPUTS)

    acknowledge = step(logs.acknowledge_log, "log", input=CommentSerializer)
    corrections = step(
        logs.add_correction, "log", input=CorrectionSerializer, status_code=status.HTTP_201_CREATED
    )

    @extend_schema(request=SignOffRequestSerializer, responses={202: None})
    @action(detail=True, methods=["post"], url_path="request-signoff")
    def request_signoff(self, request: Request, pk: str | None = None) -> Response:
        tutor = read_input(request, SignOffRequestSerializer, scoped=VISIBLE_INPUTS)["tutor"]
        signoff.issue_signoff_link(
            user=actor(request), target=self.get_object(), tutor_user=tutor.user
        )
        return Response(status=status.HTTP_202_ACCEPTED)


class CaseLogWrites(CaseLogViewSet, viewsets.GenericViewSet[Any]):
    create = creates(logs.record_case_log, CaseLogInputSerializer, scoped=VISIBLE_INPUTS)

    verify = step(logs.verify_case_log, "case_log")
    query = step(logs.query_case_log, "case_log", input=CaseQuestionSerializer)
    reject = step(logs.reject_case_log, "case_log", input=ReasonSerializer)

    @extend_schema(responses={200: CaseLogSerializer(many=True)})
    @action(
        detail=False,
        methods=["get"],
        url_path="to-answer",
        url_name="to-answer",
        permission_classes=[Predicate.of(is_student)],
        # One student's open cases: a short list, numbered pages oldest first.
        pagination_class=PagePagination,
    )
    def to_answer(self, request: Request) -> Response:
        """The caller's own cases that their tutor queried or rejected, oldest first, as on
        the page "Cases to answer" (students only); each is answered with `answer`."""
        rows = self.filter_queryset(
            self.get_queryset()
            .filter(logs.CASES_TO_ANSWER, student__user=request.user)
            .order_by("date", "id")
        )
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    answer_query = step(
        logs.answer_case_log,
        "case_log",
        input=CaseAnswerSerializer,
        url_path="answer",
        url_name="answer",
    )


router = SimpleRouter()
router.register("training-plans", TrainingPlanWrites, basename="training-plan")
router.register("milestones", MilestoneWrites, basename="milestone")
router.register("progress-logs", ProgressLogWrites, basename="progress-log")
router.register("case-logs", CaseLogWrites, basename="case-log")

urlpatterns = list(router.urls)
