from __future__ import annotations

from django.db.models import QuerySet
from django.http import FileResponse
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from ..files import serve_file
from ..models import Job, Notification
from ..notifications import mark_read
from .filters import model_filter
from .serializers import JobSerializer, MarkedReadSerializer, NotificationSerializer

JobFilter = model_filter(Job, "status", "kind")


class JobViewSet(viewsets.ReadOnlyModelViewSet[Job]):
    """Background jobs visible to the caller (their own; all for portal administrators)."""

    serializer_class = JobSerializer
    filterset_class = JobFilter

    def get_queryset(self) -> QuerySet[Job]:
        return Job.objects.visible_to(self.request.user).select_related("owner")

    @action(detail=True, methods=["get"])
    def download(self, request: Request, pk: str | None = None) -> FileResponse:
        """Download the job's result file (e.g. an import's error report)."""
        return serve_file(self.get_object().result_file)

    @action(detail=True, methods=["get"], url_path="input", url_name="input")
    def input_file(self, request: Request, pk: str | None = None) -> FileResponse:
        """Download the file the job was given (e.g. an import's workbook)."""
        job = self.get_object()
        return serve_file(job.input_file, filename=job.input_name)


class NotificationViewSet(viewsets.ReadOnlyModelViewSet[Notification]):
    """The caller's own notifications; `?unread=true` for unread ones only."""

    serializer_class = NotificationSerializer

    def get_queryset(self) -> QuerySet[Notification]:
        notifications = Notification.objects.visible_to(self.request.user)
        if self.request.query_params.get("unread") in ("1", "true"):
            notifications = notifications.unread()
        return notifications

    @extend_schema(request=None, responses={200: NotificationSerializer})
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: str | None = None) -> Response:
        """Mark this notification as read."""
        notification = self.get_object()
        mark_read(user=request.user, notification_ids=[notification.pk])
        notification.refresh_from_db()
        return Response(NotificationSerializer(notification).data)

    @extend_schema(request=None, responses={200: MarkedReadSerializer})
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request: Request) -> Response:
        """Mark every unread notification of the caller as read."""
        return Response({"marked": mark_read(user=request.user)})
