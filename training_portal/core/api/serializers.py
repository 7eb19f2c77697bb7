from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model
from rest_framework import serializers

from ..files import download_url
from ..models import Job, Notification

_M = TypeVar("_M", bound=Model)


# A record as the API shows it: every field of `Meta.fields` is read-only (as if
# `Meta.read_only_fields` named them all). No docstring: the schema would give it to every
# serializer without one of its own.
class ReadOnlyModelSerializer(serializers.ModelSerializer[_M]):
    def get_extra_kwargs(self) -> dict[str, Any]:
        extra = dict(super().get_extra_kwargs())
        for name in self.Meta.fields:
            extra[name] = {**extra.get(name, {}), "read_only": True}
        return extra


# Absolute links to the download views of the record's files (null without a file):
# `self._download(viewname, *ids, present=record.file)`. No docstring: the schema would give it
# to every serializer without one of its own.
class DownloadUrlsMixin:
    context: dict[str, Any]

    def _download(self, viewname: str, *args: Any, present: Any) -> str | None:
        return download_url(viewname, *args, request=self.context.get("request"), present=present)


def optional_ref(queryset: Any, **options: Any) -> serializers.PrimaryKeyRelatedField[Any]:
    """A reference (an id among `queryset`) that may be left out or null: then None."""
    return serializers.PrimaryKeyRelatedField(
        queryset=queryset, required=False, allow_null=True, default=None, **options
    )


def optional_text(**options: Any) -> serializers.CharField:
    """Text that may be left out or blank: then "" (unless `options` give another default)."""
    return serializers.CharField(
        **{"required": False, "allow_blank": True, "default": "", **options}
    )


class JobSerializer(DownloadUrlsMixin, ReadOnlyModelSerializer[Job]):
    kind_label = serializers.CharField(read_only=True)
    owner = serializers.EmailField(source="owner.email", read_only=True, default=None)
    percent = serializers.IntegerField(read_only=True)
    result_file_url = serializers.SerializerMethodField()
    # Rendered in the request's language; the ids and parameters are there for clients that
    # keep their own translations.
    message = serializers.CharField(source="display_message", read_only=True)
    error = serializers.CharField(source="display_error", read_only=True)
    input_file_url = serializers.SerializerMethodField()

    class Meta:
        model = Job
        fields = [
            "id",
            "kind",
            "kind_label",
            "owner",
            "status",
            "progress_done",
            "progress_total",
            "percent",
            "message",
            "message_id",
            "message_params",
            "params",
            "input_name",
            "input_file_url",
            "result",
            "result_file_url",
            "error",
            "error_id",
            "error_params",
            "attempts",
            "created_at",
            "started_at",
            "finished_at",
        ]

    def get_input_file_url(self, job: Job) -> str | None:
        return self._download("api:job-input", job.pk, present=job.input_file)

    def get_result_file_url(self, job: Job) -> str | None:
        return self._download("api:job-download", job.pk, present=job.result_file)


class NotificationSerializer(ReadOnlyModelSerializer[Notification]):
    is_read = serializers.BooleanField(read_only=True)
    title = serializers.CharField(source="display_title", read_only=True)
    body = serializers.CharField(source="display_body", read_only=True)

    class Meta:
        model = Notification
        fields = [
            "id",
            "title",
            "body",
            "title_id",
            "title_params",
            "message_id",
            "message_params",
            "link",
            "created_at",
            "read_at",
            "is_read",
        ]


class MarkedReadSerializer(serializers.Serializer[Any]):
    marked = serializers.IntegerField(read_only=True)
