"""The programs API: every resource scoped by the same visible_to rules as the pages."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import filters, viewsets

from .. import models as m
from . import serializers as s


class ScopedViewSet(viewsets.ReadOnlyModelViewSet[Any]):
    """Starts every query from `Model.objects.visible_to(user)`: outsiders get 404."""

    model: Any
    related: tuple[str, ...] = ()
    prefetch: tuple[Any, ...] = ()
    filter_backends = [DjangoFilterBackend, filters.OrderingFilter]

    def get_queryset(self) -> QuerySet[Any]:
        queryset = self.model.objects.visible_to(self.request.user)
        if self.related:
            queryset = queryset.select_related(*self.related)
        if self.prefetch:
            queryset = queryset.prefetch_related(*self.prefetch)
        return queryset


class OrganizationViewSet(ScopedViewSet):
    model = m.Organization
    serializer_class = s.OrganizationSerializer
    filterset_fields = ["kind", "status"]
    ordering_fields = ["name", "kind", "status"]

    def get_queryset(self) -> QuerySet[Any]:
        # Organisations are the partner register: visible to every signed-in user.
        return m.Organization.objects.all()


class ProgramViewSet(ScopedViewSet):
    model = m.Program
    related = ("lead_university",)
    filterset_fields = ["status", "degree_type", "lead_university"]
    ordering_fields = ["code", "title", "start_date"]

    def get_serializer_class(self) -> Any:
        return s.ProgramDetailSerializer if self.action == "retrieve" else s.ProgramSerializer

    def get_queryset(self) -> QuerySet[Any]:
        queryset = super().get_queryset()
        if self.action == "retrieve":
            queryset = queryset.prefetch_related(
                "objectives", "stages", "milestone_templates", "curriculum__course"
            )
        return queryset


class ProgramPartnerViewSet(ScopedViewSet):
    model = m.ProgramPartner
    serializer_class = s.ProgramPartnerSerializer
    related = ("organization",)
    prefetch = ("responsibilities",)
    filterset_fields = ["program", "organization", "is_active"]
    ordering_fields = ["agreement_start", "agreement_end"]

    def get_queryset(self) -> QuerySet[Any]:
        programs = m.Program.objects.visible_to(self.request.user)
        return (
            m.ProgramPartner.objects.filter(program__in=programs)
            .select_related(*self.related)
            .prefetch_related(*self.prefetch)
        )


class CourseViewSet(ScopedViewSet):
    model = m.Course
    serializer_class = s.CourseSerializer
    related = ("delivering_organization",)
    filterset_fields = ["category", "integrates_ie", "delivering_organization"]
    ordering_fields = ["code", "title", "credits"]

    def get_queryset(self) -> QuerySet[Any]:
        # The course catalogue is shared by programs and readable by every signed-in user.
        return m.Course.objects.select_related(*self.related)


class TutorViewSet(ScopedViewSet):
    model = m.TutorProfile
    serializer_class = s.TutorSerializer
    related = ("user", "organization")
    filterset_fields = ["kind", "organization", "is_active"]
    ordering_fields = ["capacity"]

    def get_queryset(self) -> QuerySet[Any]:
        return (
            m.TutorProfile.objects.with_load()
            .filter(pk__in=super().get_queryset().values("pk"))
            .select_related(*self.related)
            .order_by("user__full_name", "pk")
        )


class StudentViewSet(ScopedViewSet):
    model = m.Student
    serializer_class = s.StudentSerializer
    related = ("user", "program")
    prefetch = (
        Prefetch(
            "assignments",
            queryset=m.TutorAssignment.objects.filter(ended_on__isnull=True).select_related(
                "tutor__user"
            ),
            to_attr="current_assignments",
        ),
    )
    filterset_fields = ["program", "cohort", "status"]
    ordering_fields = ["student_number", "cohort", "enrolled_on"]


class TrainingPlanViewSet(ScopedViewSet):
    model = m.TrainingPlan
    serializer_class = s.TrainingPlanSerializer
    prefetch = (
        "courses",
        "case_targets",
        Prefetch("transitions", queryset=m.PlanTransition.objects.select_related("by")),
    )
    filterset_fields = ["student", "status", "version"]
    ordering_fields = ["version", "updated_at"]


class MilestoneViewSet(ScopedViewSet):
    model = m.Milestone
    serializer_class = s.MilestoneSerializer
    related = ("signed_off_by",)
    filterset_fields = ["student", "kind"]
    ordering_fields = ["due_date", "completed_on"]


class PlacementViewSet(ScopedViewSet):
    model = m.Placement
    serializer_class = s.PlacementSerializer
    related = ("host", "confirmed_by")
    filterset_fields = ["student", "host", "status", "practice_tutor"]
    ordering_fields = ["start_date", "end_date"]


class ProjectViewSet(ScopedViewSet):
    model = m.Project
    serializer_class = s.ProjectSerializer
    prefetch = (
        "partner_organizations",
        Prefetch("members", queryset=m.ProjectMember.objects.select_related("user")),
        "outputs",
    )
    filterset_fields = ["program", "kind", "size", "status", "lead_organization"]
    ordering_fields = ["start_date", "title"]


class ProgressLogViewSet(ScopedViewSet):
    model = m.ProgressLog
    serializer_class = s.ProgressLogSerializer
    related = ("author",)
    filterset_fields = ["student", "kind", "shared", "author"]
    ordering_fields = ["date", "minutes", "created_at"]


class CaseLogViewSet(ScopedViewSet):
    model = m.CaseLog
    serializer_class = s.CaseLogSerializer
    filterset_fields = ["student", "modality", "role", "placement"]
    ordering_fields = ["date", "count"]


class BudgetLineViewSet(ScopedViewSet):
    model = m.BudgetLine
    serializer_class = s.BudgetLineSerializer
    related = ("holder",)
    filterset_fields = ["program", "holder", "category"]
    ordering_fields = ["start_date", "end_date", "amount"]

    def get_queryset(self) -> QuerySet[Any]:
        return (
            m.BudgetLine.objects.visible_to(self.request.user)
            .with_spending()
            .select_related(*self.related)
            .order_by("program", "-start_date", "title")
        )


class ExpenditureViewSet(ScopedViewSet):
    model = m.Expenditure
    serializer_class = s.ExpenditureSerializer
    related = ("submitted_by", "approved_by")
    filterset_fields = ["line", "status", "category"]
    ordering_fields = ["spent_on", "amount", "submitted_at"]
