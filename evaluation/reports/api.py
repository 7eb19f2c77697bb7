"""The reports API: the reports the caller may see (list, detail), POST to start a report
job (202 with the report and its job), and the downloads of its PDF, XLSX and CSV. Routes:
`urlpatterns` (/api/v1/reports/, and /pdf/, /xlsx/, /csv/)."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse
from django.urls import URLPattern, URLResolver, reverse
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from programs.models import Organization, Program, Student
from training_portal.core.api.serializers import JobSerializer, ReadOnlyModelSerializer
from training_portal.core.api.viewsets import ScopedViewSet, actor, answer, read_input
from training_portal.core.links import absolute_url

from ..models import Report
from . import permissions, services
from .filters import ReportFilter
from .views import download_response, log_student_record_read

#: The kind of report as a plain string in the schema (a named enum component would collide
#: with the API's other "kind" enums).
KIND_SCHEMA = {
    "type": "string",
    "description": "One of: " + ", ".join(Report.Kind.values),
    "example": Report.Kind.PROGRAM_ANNUAL.value,
}


@extend_schema_field(KIND_SCHEMA)
class ReportKindField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=Report.Kind.choices, **kwargs)


class ReportSerializer(ReadOnlyModelSerializer[Report]):
    kind = ReportKindField(read_only=True)
    job = JobSerializer(read_only=True)
    requested_by = serializers.EmailField(source="requested_by.email", read_only=True)
    downloads = serializers.SerializerMethodField()

    class Meta:
        model = Report
        fields = [
            "id",
            "kind",
            "program",
            "organization",
            "student",
            "year",
            "language",
            "requested_by",
            "created_at",
            "inputs_as_of",
            "content_hash",
            "job",
            "downloads",
        ]

    def get_downloads(self, report: Report) -> dict[str, str]:
        found: dict[str, str] = {}
        for fmt in ("pdf", "xlsx", "csv"):
            if getattr(report, fmt):
                path = reverse(f"api:report-{fmt}", args=[report.pk])
                found[fmt] = absolute_url(path)
        return found


class ReportRequestSerializer(serializers.Serializer[Any]):
    """A report to make: its kind, its subject (only those the caller may see) and, for a
    program's annual report, the year."""

    kind = ReportKindField()
    program = serializers.PrimaryKeyRelatedField(
        queryset=Program.objects.all(), required=False, allow_null=True
    )
    organization = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.all(), required=False, allow_null=True
    )
    student = serializers.PrimaryKeyRelatedField(
        queryset=Student.objects.all(), required=False, allow_null=True
    )
    year = serializers.IntegerField(required=False, allow_null=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        user = getattr(request, "user", None)  # None (the schema): nothing is open
        # A subject outside the caller's reach is "not found", like on the pages.
        self.fields["program"].queryset = Program.objects.filter(  # type: ignore[attr-defined]
            pk__in=permissions.program_ids_open_to(user)
        )
        self.fields["organization"].queryset = Organization.objects.filter(  # type: ignore[attr-defined]
            pk__in=permissions.organization_ids_open_to(user)
        )
        self.fields["student"].queryset = Student.objects.filter(  # type: ignore[attr-defined]
            pk__in=permissions.student_ids_open_to(user)
        )


class ReportViewSet(ScopedViewSet):
    model = Report
    related = ("program", "organization", "student__user", "job__owner", "requested_by")
    serializer_class = ReportSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = ReportFilter
    http_method_names = ["get", "post", "head", "options"]

    @extend_schema(request=ReportRequestSerializer, responses={202: ReportSerializer})
    def create(self, request: Request) -> Response:
        # The subjects resolve only among those the caller may ask reports about (the
        # serializer narrows them itself, from the request in its context).
        data = read_input(request, ReportRequestSerializer)
        report = services.request_report(user=actor(request), **data)
        return answer(self, report, status.HTTP_202_ACCEPTED)

    def _download(self, fmt: str) -> FileResponse:
        report = self.get_object()
        response = download_response(report, fmt)
        log_student_record_read(self.request.user, report)
        return response

    @extend_schema(responses={200: OpenApiResponse(description="The PDF")})
    @action(detail=True, methods=["get"])
    def pdf(self, request: Request, pk: str | None = None) -> FileResponse:
        return self._download("pdf")

    @extend_schema(responses={200: OpenApiResponse(description="The data as XLSX")})
    @action(detail=True, methods=["get"])
    def xlsx(self, request: Request, pk: str | None = None) -> FileResponse:
        return self._download("xlsx")

    @extend_schema(responses={200: OpenApiResponse(description="The data as CSV")})
    @action(detail=True, methods=["get"])
    def csv(self, request: Request, pk: str | None = None) -> FileResponse:
        return self._download("csv")


router = SimpleRouter()
router.register("reports", ReportViewSet, basename="report")

urlpatterns: list[URLPattern | URLResolver] = list(router.urls)
