"""The inspections API for signed-in users: inspections (scheduled through the service, then
conducted, drafted, replied to and published through one action each), inspection
assignments and draws.

Every read starts from `visible_to(user)`: an inspection outside it (an unannounced one before
it starts, for the inspected side) is a 404 like one that does not exist, and it is never
counted. A visible inspection with a forbidden action is a 403; bad input is a 400 with field
errors (the services' ValidationErrors, mapped by the API's exception handler).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import django_filters
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from training_portal.core.api.filters import IdFilter
from training_portal.core.api.viewsets import RecordStep, ScopedViewSet, actor, answer, read_input
from training_portal.core.files import serve_file

from ... import models as m
from .. import draw as draws
from .. import permissions, services
from ..filters import InspectionFilter
from . import serializers as s

# ---- Shared -----------------------------------------------------------------------------------


def one_of(queryset: QuerySet[Any], pk: int | None, field: str, message: Any) -> Any:
    """The row `pk` of `queryset` (the inspection's own rows), or a 400 on `field`."""
    if pk is None:
        return None
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise ValidationError({field: [message]})
    return found


class ManagesInspections(BasePermission):
    """Draws are for portal administrators; others get 403."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return permissions.can_manage_inspections(request.user)


class SeesAssignments(BasePermission):
    """Assignments: portal administrators manage them, inspectors read their own."""

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return permissions.can_manage_inspections(user) or permissions.is_inspector(user)


# ---- Inspections ------------------------------------------------------------------------------


#: Lists of one inspection's rows: neither filtered by the inspection filters nor paginated.
SUBRESOURCE: dict[str, Any] = {"filter_backends": [], "pagination_class": None}


def subresource(
    rows: Any, input: Any, *, created: bool = False, url_path: str | None = None
) -> Callable[[Callable[..., Response]], Any]:
    """A list of the inspection's own rows (GET: `rows`, many) to which a row is added or
    changed (POST: `input`, answered with the row; 201 if `created`), unfiltered, unpaginated."""
    posted = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    route = action(
        detail=True,
        methods=["get", "post"],
        **({"url_path": url_path} if url_path else {}),
        **SUBRESOURCE,
    )
    listed = extend_schema(methods=["GET"], request=None, responses={200: rows(many=True)})
    added = extend_schema(methods=["POST"], request=input, responses={posted: rows})

    def decorate(method: Callable[..., Response]) -> Any:
        return listed(added(route(method)))

    return decorate


FILE_ID = OpenApiParameter(
    "file_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="An evidence file's id."
)
COMMENT_ID = OpenApiParameter(
    "comment_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="A reply comment's id."
)


def inspection_step(
    service: Callable[..., Any],
    gate: Callable[[Any, m.Inspection], bool] = permissions.works_on,
    **options: Any,
) -> RecordStep:
    """A step of the inspection's life: `service(by=caller, inspection=..., **input)` on the
    inspection of the URL, once `gate` lets the caller (`InspectionViewSet._inspection`)."""
    return RecordStep(
        service,
        "inspection",
        guard=lambda viewset, request: viewset._inspection(gate),
        caller="by",
        **options,
    )


class InspectionViewSet(ScopedViewSet):
    """Inspections the caller may see: portal administrators all of them; inspectors those
    they are on while an assignment covers the target; the inspected side (coordinators of
    the organisation, administrators of the program) those revealed to them (unannounced
    ones only once they have started). Portal administrators schedule them (create); each
    step of the inspection is an action, checked by its service."""

    model = m.Inspection
    serializer_class = s.InspectionSerializer
    related = ("program", "organization", "draw")
    prefetch = (
        Prefetch("team", queryset=m.InspectionTeamMember.objects.select_related("inspector")),
        Prefetch(
            "published_versions",
            queryset=m.PublishedReport.objects.defer("content", "search_text").order_by("version"),
        ),
    )
    filterset_class = InspectionFilter
    filter_backends = [DjangoFilterBackend]

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        # The filters are the list's: an inspection's own URL finds it whatever the query.
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def get_serializer_context(self) -> dict[str, Any]:
        context = dict(super().get_serializer_context())
        if self.action != "list":
            context["can"] = self._can
        return context

    def _can(self, inspection: m.Inspection) -> dict[str, bool]:
        user = self.request.user
        return {
            "start": permissions.can_start(user, inspection),
            "cancel": permissions.can_cancel(user, inspection),
            "conduct": permissions.can_conduct(user, inspection),
            "write_report": permissions.can_write_report(user, inspection),
            "open_reply": permissions.can_open_reply_window(user, inspection),
            "reply": permissions.can_reply(user, inspection),
            "request_publication": permissions.can_request_publication(user, inspection),
            "approve": permissions.can_approve_publication(user, inspection),
            "start_correction": permissions.can_start_correction(user, inspection),
        }

    def _inspection(self, gate: Callable[[Any, m.Inspection], bool]) -> m.Inspection:
        """The inspection of the URL: 404 outside what the caller sees, 403 unless `gate`
        lets them (before their input is read, so that a refusal never depends on it)."""
        inspection = cast(m.Inspection, self.get_object())
        if not gate(self.request.user, inspection):
            raise PermissionDenied
        return inspection

    # -- Scheduling and the inspection's life --

    @extend_schema(request=s.InspectionInputSerializer, responses={201: s.InspectionSerializer})
    def create(self, request: Request) -> Response:
        if not permissions.can_manage_inspections(request.user):
            raise PermissionDenied
        data = read_input(request, s.InspectionInputSerializer)
        if data["reply_days"] is None:
            del data["reply_days"]
        inspection = services.schedule_inspection(by=actor(request), **data)
        return answer(self, inspection, status.HTTP_201_CREATED)

    start = inspection_step(services.start_inspection)
    cancel = inspection_step(
        services.cancel_inspection,
        lambda user, _: permissions.can_manage_inspections(user),
        input=s.InspectionReasonInputSerializer,
    )

    # -- Conducting --

    @subresource(
        s.ChecklistItemSerializer, s.ChecklistResultInputSerializer, url_path="checklist-results"
    )
    def checklist_results(self, request: Request, pk: str | None = None) -> Response:
        """The checklist with its answers (GET); the result of one question (POST)."""
        inspection = self._inspection(permissions.works_on)
        items = m.ChecklistItem.objects.filter(inspection=inspection).select_related("checked_by")
        if request.method == "GET":
            return Response(s.ChecklistItemSerializer(items, many=True).data)
        data = read_input(request, s.ChecklistResultInputSerializer)
        item = one_of(
            items,
            data.pop("item"),
            "item",
            _("This question is not on the inspection's checklist."),
        )
        item = services.record_checklist_result(by=actor(request), item=item, **data)
        return Response(s.ChecklistItemSerializer(items.get(pk=item.pk)).data)

    @subresource(s.SampledStudentSerializer, s.SampleUpdateInputSerializer)
    def sample(self, request: Request, pk: str | None = None) -> Response:
        """The students drawn for examination (GET); whether one was examined (POST)."""
        inspection = self._inspection(permissions.works_on)
        sample = m.SampledStudent.objects.filter(inspection=inspection).select_related(
            "student__user"
        )
        if request.method == "GET":
            return Response(s.SampledStudentSerializer(sample, many=True).data)
        data = read_input(request, s.SampleUpdateInputSerializer)
        sampled = one_of(
            sample, data.pop("sampled"), "sampled", _("This student is not in the sample.")
        )
        sampled = services.update_sampled_student(by=actor(request), sampled=sampled, **data)
        return Response(s.SampledStudentSerializer(sample.get(pk=sampled.pk)).data)

    @subresource(s.ObservationSerializer, s.ObservationInputSerializer, created=True)
    def observations(self, request: Request, pk: str | None = None) -> Response:
        """What the inspectors saw (GET); a new observation (POST)."""
        inspection = self._inspection(permissions.works_on)
        observations = m.Observation.objects.filter(inspection=inspection).select_related("author")
        if request.method == "GET":
            return Response(s.ObservationSerializer(observations, many=True).data)
        data = read_input(request, s.ObservationInputSerializer)
        data["checklist_item"] = one_of(
            m.ChecklistItem.objects.filter(inspection=inspection),
            data["checklist_item"],
            "checklist_item",
            _("This question is not on the inspection's checklist."),
        )
        data["sampled_student"] = one_of(
            m.SampledStudent.objects.filter(inspection=inspection),
            data["sampled_student"],
            "sampled_student",
            _("This student is not in the sample."),
        )
        observation = services.add_observation(by=actor(request), inspection=inspection, **data)
        return Response(
            s.ObservationSerializer(observations.get(pk=observation.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=None, responses={200: s.EvidenceFileSerializer(many=True)})
    @action(detail=True, methods=["get"], **SUBRESOURCE)
    def evidence(self, request: Request, pk: str | None = None) -> Response:
        """The files the inspectors collected (uploads are made on the inspection's pages)."""
        inspection = self._inspection(permissions.works_on)
        files = m.EvidenceFile.objects.filter(inspection=inspection).select_related("uploaded_by")
        context = {"request": request}
        return Response(s.EvidenceFileSerializer(files, many=True, context=context).data)

    @extend_schema(
        parameters=[FILE_ID], request=None, responses={200: OpenApiResponse(description="The file")}
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"evidence/(?P<file_id>[0-9]+)/download",
        url_name="evidence-download",
        **SUBRESOURCE,
    )
    def evidence_download(
        self, request: Request, pk: str | None = None, file_id: str | None = None
    ) -> FileResponse:
        """One collected file, to those who work on the inspection."""
        inspection = self._inspection(permissions.works_on)
        item = get_object_or_404(m.EvidenceFile.objects.filter(inspection=inspection), pk=file_id)
        return serve_file(item.file, filename=item.name)

    @subresource(s.InspectionFindingSerializer, s.InspectionFindingInputSerializer, created=True)
    def findings(self, request: Request, pk: str | None = None) -> Response:
        """The findings the inspection recorded that the caller may see (GET); a new finding
        (POST, the team), which then follows the life of every finding."""
        user = actor(request)
        if request.method == "GET":
            inspection = self._inspection(lambda *_: True)
            found = m.Finding.objects.filter(inspection=inspection)
            if not permissions.works_on(user, inspection):
                found = found.filter(pk__in=m.Finding.objects.visible_to(user).values("pk"))
            found = found.select_related("student__user", "author").order_by("first_seen_at", "pk")
            return Response(s.InspectionFindingSerializer(found, many=True).data)
        inspection = self._inspection(permissions.works_on)
        data = read_input(request, s.InspectionFindingInputSerializer)
        finding = services.record_inspection_finding(by=user, inspection=inspection, **data)
        fresh = m.Finding.objects.select_related("student__user", "author").get(pk=finding.pk)
        return Response(s.InspectionFindingSerializer(fresh).data, status=status.HTTP_201_CREATED)

    # -- The report and the right of reply --

    @subresource(
        s.ReportSectionSerializer, s.ReportSectionInputSerializer, url_path="report-sections"
    )
    def report_sections(self, request: Request, pk: str | None = None) -> Response:
        """The draft report (GET: the team, and the inspected side once it was sent to them
        for reply); a section saved by key (POST: the team)."""
        if request.method == "GET":
            inspection = self._inspection(permissions.reads_draft)
            sections = m.ReportSection.objects.filter(inspection=inspection)
            return Response(s.ReportSectionSerializer(sections, many=True).data)
        inspection = self._inspection(permissions.works_on)
        data = read_input(request, s.ReportSectionInputSerializer)
        section = services.save_report_section(by=actor(request), inspection=inspection, **data)
        return Response(s.ReportSectionSerializer(section).data)

    open_reply = inspection_step(
        services.open_reply_window,
        input=s.ReplyWindowInputSerializer,
        url_path="open-reply",
        doc="Send the draft to the inspected side for their factual-accuracy comments.",
    )

    @subresource(s.ReplyCommentSerializer, s.ReplyCommentInputSerializer, created=True)
    def comments(self, request: Request, pk: str | None = None) -> Response:
        """The inspected side's comments on the draft and the answers (GET); a comment on a
        section while the reply window is open (POST: the inspected side)."""
        comments = m.ReplyComment.objects.select_related("section", "author", "answered_by")
        if request.method == "GET":
            inspection = self._inspection(permissions.reads_draft)
            found = comments.filter(section__inspection=inspection)
            return Response(s.ReplyCommentSerializer(found, many=True).data)
        inspection = self._inspection(permissions.is_inspected_side)
        data = read_input(request, s.ReplyCommentInputSerializer)
        section = one_of(
            m.ReportSection.objects.filter(inspection=inspection),
            data["section"],
            "section",
            _("This section is not in the inspection's report."),
        )
        comment = services.comment_on_section(by=actor(request), section=section, text=data["text"])
        return Response(
            s.ReplyCommentSerializer(comments.get(pk=comment.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        parameters=[COMMENT_ID],
        request=s.CommentAnswerInputSerializer,
        responses={200: s.ReplyCommentSerializer},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"comments/(?P<comment_id>[0-9]+)/answer",
        url_name="comment-answer",
    )
    def answer_comment(
        self, request: Request, pk: str | None = None, comment_id: str | None = None
    ) -> Response:
        """The team's answer to a comment, with the section's revised text if it changes."""
        inspection = self._inspection(permissions.works_on)
        comments = m.ReplyComment.objects.filter(section__inspection=inspection).select_related(
            "section", "author", "answered_by"
        )
        comment = get_object_or_404(comments, pk=comment_id)
        data = read_input(request, s.CommentAnswerInputSerializer)
        services.answer_comment(by=actor(request), comment=comment, **data)
        return Response(s.ReplyCommentSerializer(comments.get(pk=comment.pk)).data)

    # -- Publication --

    request_publication = inspection_step(
        services.request_publication,
        input=s.PublicationRequestInputSerializer,
        url_path="request-publication",
    )
    approve = inspection_step(
        services.approve_publication,
        doc="Publish the report: a second person (a lead inspector of the team or a portal\n"
        "administrator) approves; the published version is a de-identified snapshot.",
    )
    return_for_changes = inspection_step(
        services.return_for_changes, input=s.InspectionReasonInputSerializer, url_path="return"
    )
    start_correction = inspection_step(
        services.start_correction,
        url_path="start-correction",
        doc="Reopen a published report for a correction, published as a new version.",
    )


# ---- Assignments ------------------------------------------------------------------------------


class InspectionAssignmentFilter(django_filters.FilterSet):
    inspector = IdFilter(field_name="inspector_id")
    program = IdFilter(field_name="program_id")
    organization = IdFilter(field_name="organization_id")
    current = django_filters.BooleanFilter(field_name="is_current", label=_("In force today"))
    revoked = django_filters.BooleanFilter(
        field_name="revoked_at", lookup_expr="isnull", exclude=True, label=_("Revoked")
    )

    class Meta:
        model = m.InspectionAssignment
        fields: list[str] = []


class InspectionAssignmentViewSet(ScopedViewSet):
    """Which programs or organisations an inspector may see, and when. Portal administrators
    create and revoke them (a revocation takes effect on the inspector's next request);
    inspectors read their own."""

    permission_classes = [IsAuthenticated, SeesAssignments]
    model = m.InspectionAssignment
    serializer_class = s.InspectionAssignmentSerializer
    related = ("inspector", "program", "organization")
    filterset_class = InspectionAssignmentFilter
    filter_backends = [DjangoFilterBackend]

    def get_queryset(self) -> QuerySet[Any]:
        current = m.InspectionAssignment.objects.current().filter(pk=OuterRef("pk"))
        return super().get_queryset().annotate(is_current=Exists(current))

    @extend_schema(
        request=s.InspectionAssignmentInputSerializer,
        responses={201: s.InspectionAssignmentSerializer},
    )
    def create(self, request: Request) -> Response:
        if not permissions.can_manage_inspections(request.user):
            raise PermissionDenied
        data = read_input(request, s.InspectionAssignmentInputSerializer)
        assignment = services.create_assignment(by=actor(request), **data)
        return answer(self, assignment, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: s.InspectionAssignmentSerializer})
    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, pk: str | None = None) -> Response:
        assignment = self.get_object()
        if not permissions.can_manage_inspections(request.user):
            raise PermissionDenied
        services.revoke_assignment(by=actor(request), assignment=assignment)
        return answer(self, assignment)


# ---- Draws ------------------------------------------------------------------------------------


class DrawFilter(django_filters.FilterSet):
    target_kind = django_filters.ChoiceFilter(choices=m.Draw.TargetKind.choices)
    inspection_type = django_filters.ChoiceFilter(choices=m.InspectionType.choices)
    replaced = django_filters.BooleanFilter(method="filter_replaced", label=_("Drawn again"))

    class Meta:
        model = m.Draw
        fields: list[str] = []

    def filter_replaced(
        self, queryset: QuerySet[m.Draw], name: str, value: bool
    ) -> QuerySet[m.Draw]:
        return queryset.filter(replaced_by__isnull=not value)


class DrawViewSet(ScopedViewSet):
    """Double random draws (portal administrators): targets, students within them and
    inspectors in one step, with the seed, inputs and algorithm that let anyone re-run it.
    A draw is never changed: drawing again names the draw it `replaces` and why."""

    permission_classes = [IsAuthenticated, ManagesInspections]
    model = m.Draw
    serializer_class = s.DrawSerializer
    related = ("replaces", "replaced_by", "drawn_by")
    prefetch = (Prefetch("inspections", queryset=m.Inspection.objects.only("pk", "draw_id")),)
    filterset_class = DrawFilter
    filter_backends = [DjangoFilterBackend]

    @extend_schema(request=s.DrawInputSerializer, responses={201: s.DrawSerializer})
    def create(self, request: Request) -> Response:
        data = read_input(request, s.DrawInputSerializer)
        draw = draws.make_draw(by=actor(request), **data)
        fresh = self.get_queryset().get(pk=draw.pk)
        return Response(self.get_serializer(fresh).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: s.DrawVerificationSerializer})
    @action(detail=True, methods=["get"])
    def verify(self, request: Request, pk: str | None = None) -> Response:
        """Re-run the draw from its record: `reproduced` when the result is the same."""
        draw = cast(m.Draw, self.get_object())
        differences = draws.verify_draw(draw)
        data = {
            "public_id": draw.public_id,
            "algorithm": draw.algorithm,
            "reproduced": not differences,
            "differences": differences,
        }
        return Response(s.DrawVerificationSerializer(data).data)
