from __future__ import annotations

from django.urls import reverse
from rest_framework import serializers

from ..models import Job


class JobSerializer(serializers.ModelSerializer[Job]):
    kind_label = serializers.CharField(read_only=True)
    owner = serializers.EmailField(source="owner.email", read_only=True, default=None)
    percent = serializers.IntegerField(read_only=True)
    result_file_url = serializers.SerializerMethodField()

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
            "params",
            "input_name",
            "result",
            "result_file_url",
            "error",
            "attempts",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields

    def get_result_file_url(self, job: Job) -> str | None:
        if not job.result_file:
            return None
        return reverse("api:job-download", kwargs={"pk": job.pk})
