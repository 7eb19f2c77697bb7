"""The read-only public API: published inspection reports and audit summaries, without an
account (`/api/v1/public/...`).

Only what was published is read, and only from the frozen versions (`PublishedReport`,
`PublishedAuditSummary`: their de-identified `content` and chain fields), never from the live
inspections, findings or people. The answers are the same for every caller (no
authentication is even attempted), so they are cached per URL and language for a short while;
the rate limit is checked on every request before the cache, so that it holds for cached
answers too.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from training_portal.core import public_cache
from training_portal.core.api.pagination import PagePagination
from training_portal.core.ratelimit import PublicRateThrottle

from ...models import InspectionType, PublishedAuditSummary, PublishedReport
from ...models.inspection_reports import ChainedVersion, latest_only, verify_chain
from ..public.filters import PublicAuditSummaryFilter, PublicReportFilter

#: The fields of a version that make its chain (its content aside).
CHAIN_FIELDS = ("version", "published_at", "change_note", "content_hash", "previous_hash")


class PublicPagination(PagePagination):
    page_size = 20
    max_page_size = 100


# ---- Serializers: the published content, never a live model ---------------------------------


class PublicVersionSerializer(serializers.Serializer[Any]):
    """One version of a hash chain: SHA-256 of the previous hash and the version's document."""

    version = serializers.IntegerField()
    published_at = serializers.DateTimeField()
    change_note = serializers.CharField()
    content_hash = serializers.CharField()
    previous_hash = serializers.CharField(help_text="Empty for the first version.")


class PublicVersionContentSerializer(PublicVersionSerializer):
    content = serializers.JSONField()


class PublicProgramSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    code = serializers.CharField()
    title = serializers.CharField()


class PublicOrganizationSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    short_name = serializers.CharField()
    kind = serializers.CharField()


class PublicTargetSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField(help_text="`program` or `organization`.")
    id = serializers.IntegerField()
    name = serializers.CharField()


# What a published inspection report is about. No docstrings on these parts: the schema would
# give them to the serializers built from them.
class _ReportSubject(serializers.Serializer[Any]):
    inspection = serializers.IntegerField(source="inspection_id")
    title = serializers.CharField()
    inspection_type = serializers.ChoiceField(choices=InspectionType.choices)
    target = PublicTargetSerializer(source="content.target")
    program = PublicProgramSerializer(source="content.program", allow_null=True)
    organization = PublicOrganizationSerializer(source="content.organization", allow_null=True)


# The latest version of a published record, and the list of its versions (its chain).
class _LatestVersion(serializers.Serializer[Any]):
    version = serializers.IntegerField()
    published_at = serializers.DateTimeField()
    change_note = serializers.CharField()
    content_hash = serializers.CharField()
    previous_hash = serializers.CharField()
    content = serializers.JSONField()
    versions = PublicVersionSerializer(many=True, source="chain")


class PublicInspectionSerializer(_ReportSubject, _LatestVersion):
    """An inspection's published report: its latest version (with its content) and the list
    of its versions."""


class PublicInspectionDetailSerializer(serializers.Serializer[Any]):
    """Every version of an inspection's published report, oldest first, with its content."""

    inspection = serializers.IntegerField()
    title = serializers.CharField()
    inspection_type = serializers.ChoiceField(choices=InspectionType.choices)
    chain_intact = serializers.BooleanField(
        help_text="Every version's hash matches its content and links to the previous one."
    )
    versions = PublicVersionContentSerializer(many=True)


# What a published audit summary is about.
class _SummarySubject(serializers.Serializer[Any]):
    program = PublicProgramSerializer(source="content.program")
    as_of = serializers.DateField()


class PublicAuditSummarySerializer(_SummarySubject, _LatestVersion):
    """A program's published audit summary: its latest version and the list of versions."""


class PublicAuditSummaryVersionSerializer(PublicVersionContentSerializer):
    as_of = serializers.DateField()


class PublicAuditSummaryDetailSerializer(serializers.Serializer[Any]):
    program = PublicProgramSerializer()
    chain_intact = serializers.BooleanField(
        help_text="Every version's hash matches its content and links to the previous one."
    )
    versions = PublicAuditSummaryVersionSerializer(many=True)


# ---- Views ----------------------------------------------------------------------------------


def attach_chains(latest: Iterable[Any], versions: QuerySet[Any], key: str) -> None:
    """Give each latest version its chain (`chain`: the versions' chain fields, oldest first)
    in one query, without loading any content."""
    latest = list(latest)
    ids = [getattr(item, key) for item in latest]
    chains: dict[int, list[dict[str, Any]]] = defaultdict(list)
    rows = (
        versions.filter(**{f"{key}__in": ids}).order_by(key, "version").values(key, *CHAIN_FIELDS)
    )
    for row in rows:
        chains[row.pop(key)].append(row)
    for item in latest:
        item.chain = chains[getattr(item, key)]


def chain_intact(versions: list[ChainedVersion]) -> bool:
    return not verify_chain(versions)


class PublicViewSet(viewsets.GenericViewSet[Any]):
    """The same answer for everyone: no authentication, read-only, rate-limited, cached."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes = [PublicRateThrottle]
    pagination_class = PublicPagination
    filter_backends = [DjangoFilterBackend]
    lookup_value_regex = r"[0-9]+"

    def cached(self, request: Request, compute: Callable[[], Any]) -> Response:
        """`compute()`'s data, kept for `PUBLIC_CACHE_SECONDS` per absolute URL and language,
        as the public pages are (`core.public_cache`). Only successful answers are kept:
        errors are raised, never cached."""
        return Response(public_cache.cached("api", request, compute))

    def paged(self, rows: Any, history: Any, key: str) -> Any:
        """The page of `rows` asked for, each with its chain of versions among `history` (the
        versions sharing its `key`), as the list's data."""
        page = self.paginate_queryset(rows)
        assert page is not None  # the view always paginates
        attach_chains(page, history, key)
        return self.get_paginated_response(self.get_serializer(page, many=True).data).data

    @staticmethod
    def versions_of(model: Any, key: str, pk: str | None) -> list[Any]:
        """Every version of one chain (`key` = `pk`), oldest first; 404 without any."""
        versions = list(model.objects.filter(**{key: int(pk or 0)}).order_by("version"))
        if not versions:
            raise Http404
        return versions


INSPECTION_ID = OpenApiParameter(
    "id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The inspection's id."
)
PROGRAM_ID = OpenApiParameter(
    "id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The program's id."
)


@extend_schema_view(
    list=extend_schema(responses=PublicInspectionSerializer(many=True)),
    retrieve=extend_schema(parameters=[INSPECTION_ID], responses=PublicInspectionDetailSerializer),
)
class PublicInspectionViewSet(PublicViewSet):
    """Published inspection reports: the latest version of each, newest first, filterable by
    organisation, program, inspection type, publication date, and words of the title or
    text (`q`); by inspection id, every version with its content and whether the hash chain is
    intact."""

    serializer_class = PublicInspectionSerializer
    filterset_class = PublicReportFilter

    def get_queryset(self) -> QuerySet[PublishedReport]:
        latest = PublishedReport.objects.latest_versions().values("pk")
        return PublishedReport.objects.filter(pk__in=latest).order_by("-published_at", "-id")

    def list(self, request: Request) -> Response:
        """The latest version of each published report, newest first."""

        def compute() -> Any:
            rows = self.filter_queryset(self.get_queryset())
            return self.paged(rows, PublishedReport.objects.all(), "inspection_id")

        return self.cached(request, compute)

    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        """Every version of the inspection's published report, oldest first."""

        def compute() -> Any:
            versions = self.versions_of(PublishedReport, "inspection_id", pk)
            latest = versions[-1]
            data = {
                "inspection": latest.inspection_id,
                "title": latest.title,
                "inspection_type": latest.inspection_type,
                "chain_intact": chain_intact(list(versions)),
                "versions": versions,
            }
            return PublicInspectionDetailSerializer(data).data

        return self.cached(request, compute)


@extend_schema_view(
    list=extend_schema(responses=PublicAuditSummarySerializer(many=True)),
    retrieve=extend_schema(parameters=[PROGRAM_ID], responses=PublicAuditSummaryDetailSerializer),
)
class PublicAuditSummaryViewSet(PublicViewSet):
    """Published summaries of the programs' audit results: the latest version for each program
    (or the one in force on `date`), with the list of versions; by program id, every version
    with its content and whether the hash chain is intact."""

    serializer_class = PublicAuditSummarySerializer
    filterset_class = PublicAuditSummaryFilter

    def get_queryset(self) -> QuerySet[PublishedAuditSummary]:
        return PublishedAuditSummary.objects.all()

    def list(self, request: Request) -> Response:
        """The latest summary of each program (as published on `date`, if given)."""

        def compute() -> Any:
            versions = self.filter_queryset(self.get_queryset())
            latest = latest_only(versions, "program_id")
            summaries = PublishedAuditSummary.objects.filter(pk__in=latest.values("pk")).order_by(
                "content__program__code", "id"
            )
            return self.paged(summaries, versions, "program_id")

        return self.cached(request, compute)

    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        """Every version of the program's summary, oldest first."""

        def compute() -> Any:
            versions = self.versions_of(PublishedAuditSummary, "program_id", pk)
            data = {
                "program": versions[-1].content["program"],
                "chain_intact": chain_intact(list(versions)),
                "versions": versions,
            }
            return PublicAuditSummaryDetailSerializer(data).data

        return self.cached(request, compute)
