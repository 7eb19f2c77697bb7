"""Viewsets of the people API: tutor profiles and students (enrolment, tutors, and the status
lifecycle of `status.StudentStatusActions`)."""

from __future__ import annotations

from typing import Any, cast

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from programs.people.permissions import can_manage_students
from training_portal.core.api.viewsets import ScopedViewSet, actor, answer

from ... import models as m
from ...api_common import errors_renamed, read_scoped_input
from .. import filters as f
from ..services import people
from . import serializers as s
from .status import StudentStatusActions


class TutorViewSet(ScopedViewSet):
    model = m.TutorProfile
    serializer_class = s.TutorSerializer
    related = ("user", "organization")
    filterset_class = f.TutorFilter
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
    filterset_class = f.StudentFilter
    ordering_fields = ["student_number", "cohort", "enrolled_on"]


class TutorWrites(TutorViewSet, viewsets.GenericViewSet[Any]):
    """A tutor profile for an existing account, named by its e-mail address."""

    def get_queryset(self) -> QuerySet[Any]:
        if self.action == "create":
            # A new tutor of the lead university is visible to its program administrators only
            # once they supervise someone; whoever created it reads it back all the same.
            return m.TutorProfile.objects.with_load().select_related(*self.related)
        return super().get_queryset()

    @extend_schema(request=s.TutorInputSerializer, responses={201: s.TutorSerializer})
    def create(self, request: Request) -> Response:
        data = read_scoped_input(request, s.TutorInputSerializer)
        with errors_renamed(tutor_user="email"):
            tutor = people.create_tutor(user=actor(request), tutor_user=data.pop("email"), **data)
        return answer(self, tutor, status.HTTP_201_CREATED)


class StudentWrites(StudentStatusActions, StudentViewSet, viewsets.GenericViewSet[Any]):
    """Enrolment of an existing account (by e-mail address), the choice of its tutors, and the
    student's status lifecycle (`StudentStatusActions`)."""

    @extend_schema(request=s.StudentInputSerializer, responses={201: s.StudentSerializer})
    def create(self, request: Request) -> Response:
        data = read_scoped_input(request, s.StudentInputSerializer)
        with errors_renamed(student_user="email"):
            student = people.enrol_student(
                user=actor(request), student_user=data.pop("email"), **data
            )
        return answer(self, student, status.HTTP_201_CREATED)

    @extend_schema(request=s.AssignTutorInputSerializer, responses={201: s.StudentSerializer})
    @action(detail=True, methods=["post"], url_path="assign-tutor")
    def assign_tutor(self, request: Request, pk: str | None = None) -> Response:
        student = self.get_object()
        if not can_manage_students(actor(request), student.program):
            raise PermissionDenied
        # Besides the tutors they see, the program's administrators may choose any tutor of an
        # organisation taking part in the program, even one who supervises nobody yet.
        serializer = s.AssignTutorInputSerializer(data=request.data, context={"request": request})
        taking_part = Q(organization=student.program.lead_university_id) | Q(
            organization__partnerships__program=student.program,
            organization__partnerships__is_active=True,
        )
        tutor_field = cast(Any, serializer.fields["tutor"])
        tutor_field.queryset = m.TutorProfile.objects.filter(
            Q(pk__in=m.TutorProfile.objects.visible_to(request.user).values("pk")) | taking_part
        ).distinct()
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        people.assign_tutor(user=actor(request), student=student, **data)
        return answer(self, student, status.HTTP_201_CREATED)
