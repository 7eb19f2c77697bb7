from __future__ import annotations

from django.db.models import QuerySet
from django.http import FileResponse, Http404
from django_filters import rest_framework as filters
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.request import Request

from ..models import Job
from .serializers import JobSerializer


class JobFilter(filters.FilterSet):
    class Meta:
        model = Job
        fields = ["status", "kind"]


class JobViewSet(viewsets.ReadOnlyModelViewSet[Job]):
    """Background jobs visible to the caller (their own; all for portal administrators)."""

    serializer_class = JobSerializer
    filterset_class = JobFilter

    def get_queryset(self) -> QuerySet[Job]:
        return Job.objects.visible_to(self.request.user).select_related("owner")

    @action(detail=True, methods=["get"])
    def download(self, request: Request, pk: str | None = None) -> FileResponse:
        """Download the job's result file (e.g. an import's error report)."""
        job = self.get_object()
        if not job.result_file:
            raise Http404
        name = str(job.result_file.name).rsplit("/", 1)[-1]
        return FileResponse(job.result_file.open("rb"), as_attachment=True, filename=name)
