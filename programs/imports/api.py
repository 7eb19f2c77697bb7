"""Bulk imports through the API, as jobs: organisations, tutors and a program's students.

Each endpoint takes the same file as its page (an .xlsx or .csv, first row the header),
checks it at once (type, size, header: 400 with a `file` error) and answers 202 with the job,
which the caller polls at /api/v1/jobs/{id}/; the job's result lists every problem of the
file, row by row, and a file with any wrong row saves nothing. Who may import is decided as
on the pages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from training_portal.core.api.serializers import JobSerializer
from training_portal.core.models import Job
from training_portal.core.permissions import Predicate

from ..models import Program
from ..partners.permissions import can_create_organization
from . import services
from .permissions import can_import_tutors


class ImportFileSerializer(serializers.Serializer[Any]):
    file = serializers.FileField(
        help_text=_("An .xlsx or .csv file (UTF-8 or GB18030); the first row names the columns.")
    )


def _started(job: Job) -> Response:
    return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


def _file(request: Request) -> Any:
    data = ImportFileSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    return data.validated_data["file"]


# An upload that starts an import job, answered 202 with the job. No docstring: the schema
# would give it to the views below.
class _ImportView(APIView):
    parser_classes = [MultiPartParser, FormParser]
    #: `start(user=, upload=)`: the service that starts the job.
    start: Callable[..., Job]

    @extend_schema(request=ImportFileSerializer, responses={202: JobSerializer})
    def post(self, request: Request) -> Response:
        user = cast(User, request.user)
        return _started(self.start(user=user, upload=_file(request)))


class OrganizationImportView(_ImportView):
    """Start an import of organisations (portal and program administrators)."""

    permission_classes = [Predicate.of(can_create_organization)]
    start = staticmethod(services.start_organization_import)


class TutorImportView(_ImportView):
    """Start an import of tutors (administrators; coordinators for their organisation)."""

    permission_classes = [Predicate.of(can_import_tutors)]
    start = staticmethod(services.start_tutor_import)


class StudentImportView(APIView):
    """Start an import of the program's students (its administrators); a program the caller
    cannot see is not found."""

    parser_classes = _ImportView.parser_classes

    @extend_schema(request=ImportFileSerializer, responses={202: JobSerializer})
    def post(self, request: Request, pk: int) -> Response:
        user = cast(User, request.user)
        program = get_object_or_404(Program.objects.visible_to(user), pk=pk)
        return _started(
            services.start_student_import(user=user, program=program, upload=_file(request))
        )


urlpatterns = [
    path("organization-imports/", OrganizationImportView.as_view(), name="organization-import"),
    path("tutor-imports/", TutorImportView.as_view(), name="tutor-import"),
    path(
        "programs/<int:pk>/student-imports/",
        StudentImportView.as_view(),
        name="student-import",
    ),
]
