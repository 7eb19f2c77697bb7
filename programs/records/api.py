"""Who read a student's record, in the API: every read of the record through the students
endpoint is logged, and those who may see the log read it at
`GET /students/{id}/record-views/`."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from programs.records import services as reads
from programs.records.permissions import can_see_record_views

from .. import models as m


class RecordViewSerializer(serializers.ModelSerializer[m.StudentRecordView]):
    reader_name = serializers.CharField(source="reader.full_name", read_only=True)

    class Meta:
        model = m.StudentRecordView
        fields = ["reader", "reader_name", "role", "day"]


class RecordReads:
    """Mixed into the students viewset (whose `get_object` is scoped by `visible_to`): the
    record and its sub-resources are read through `_read`, which logs the read."""

    get_object: Any

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        student = self.get_object()
        reads.log_record_view(reader=request.user, student=student)
        return Response(self.get_serializer(student).data)  # type: ignore[attr-defined]

    def _read(self, request: Request) -> m.Student:
        """A sub-resource of the record: a read, logged like the record itself."""
        student: m.Student = self.get_object()
        reads.log_record_view(reader=request.user, student=student)
        return student

    @extend_schema(responses={200: RecordViewSerializer(many=True)})
    @action(detail=True, methods=["get"], url_path="record-views", url_name="record-views")
    def record_views(self, request: Request, pk: str | None = None) -> Response:
        student = self.get_object()
        if not can_see_record_views(request.user, student):
            raise PermissionDenied
        rows = reads.record_views_of(student)
        return Response(RecordViewSerializer(rows, many=True).data)
