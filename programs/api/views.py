"""The programs API: every resource scoped by the same visible_to rules as the pages."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, cast

import django_filters
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import FileResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import RoleMembership, User
from training_portal.core.api.viewsets import ScopedViewSet, actor, answer, read_input
from training_portal.core.files import serve_file, uploaded_name
from training_portal.core.permissions import Predicate

from .. import models as m
from ..design import services as elements
from ..design.permissions import can_manage_program
from ..funds import services as funds
from ..partners.permissions import can_open_agreement, can_post_counsellors
from ..partners.services import counsellors, organizations, partners
from ..people.permissions import can_manage_students
from ..people.services import people
from ..placements import services as placements
from ..projects import services as projects
from ..projects.permissions import can_manage_project
from ..training.permissions import is_student
from ..training.services import logs, signoff, training
from . import actions as a
from . import serializers as s
from .student_status import StudentStatusActions

#: A download: the file itself, as an attachment.
FILE = OpenApiResponse(description="The file, as an attachment")


class OrganizationViewSet(ScopedViewSet):
    model = m.Organization
    serializer_class = s.OrganizationSerializer
    filterset_fields = ["kind", "status"]
    ordering_fields = ["name", "kind", "status"]

    def get_queryset(self) -> QuerySet[Any]:
        # Organisations are the partner register: visible to every signed-in user.
        return m.Organization.objects.visible_to(self.request.user)


class ProgramViewSet(ScopedViewSet):
    model = m.Program
    related = ("lead_university",)
    filterset_fields = ["status", "degree_type", "lead_university"]
    ordering_fields = ["code", "title", "start_date"]

    def get_serializer_class(self) -> Any:
        return s.ProgramDetailSerializer if self.action == "retrieve" else s.ProgramSerializer

    def get_queryset(self) -> QuerySet[Any]:
        queryset = super().get_queryset()
        if self.action == "retrieve":
            queryset = queryset.prefetch_related(
                "objectives", "stages", "milestone_templates", "curriculum__course"
            )
        return queryset


class ProgramPartnerViewSet(ScopedViewSet):
    model = m.ProgramPartner
    serializer_class = s.ProgramPartnerSerializer
    related = ("organization", "program")
    prefetch = ("responsibilities",)
    filterset_fields = ["program", "organization", "is_active"]
    ordering_fields = ["agreement_start", "agreement_end"]

    def get_queryset(self) -> QuerySet[Any]:
        programs = m.Program.objects.visible_to(self.request.user)
        return (
            m.ProgramPartner.objects.filter(program__in=programs)
            .select_related(*self.related)
            .prefetch_related(*self.prefetch)
        )

    @extend_schema(responses={200: FILE})
    @action(detail=True, methods=["get"], url_path="agreement-file", url_name="agreement-file")
    def agreement_file(self, request: Request, pk: str | None = None) -> FileResponse:
        """The signed agreement (program administrators and the partner's coordinators)."""
        partner = self.get_object()
        if not can_open_agreement(request.user, partner):
            raise PermissionDenied
        return serve_file(partner.agreement_file, filename=uploaded_name(partner.agreement_file))


class CourseViewSet(ScopedViewSet):
    model = m.Course
    serializer_class = s.CourseSerializer
    related = ("delivering_organization",)
    filterset_fields = ["category", "integrates_ie", "delivering_organization"]
    ordering_fields = ["code", "title", "credits"]

    def get_queryset(self) -> QuerySet[Any]:
        # The course catalogue is shared by programs and readable by every signed-in user.
        return m.Course.objects.select_related(*self.related)


class TutorViewSet(ScopedViewSet):
    model = m.TutorProfile
    serializer_class = s.TutorSerializer
    related = ("user", "organization")
    filterset_fields = ["kind", "organization", "is_active"]
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
    filterset_fields = ["program", "cohort", "status"]
    ordering_fields = ["student_number", "cohort", "enrolled_on"]


class TrainingPlanViewSet(ScopedViewSet):
    model = m.TrainingPlan
    serializer_class = s.TrainingPlanSerializer
    prefetch = (
        "courses",
        "case_targets",
        Prefetch("transitions", queryset=m.PlanTransition.objects.select_related("by")),
    )
    filterset_fields = ["student", "status", "version"]
    ordering_fields = ["version", "updated_at"]


class MilestoneViewSet(ScopedViewSet):
    model = m.Milestone
    serializer_class = s.MilestoneSerializer
    related = ("signed_off_by",)
    filterset_fields = ["student", "kind"]
    ordering_fields = ["due_date", "completed_on"]

    @extend_schema(responses={200: FILE})
    @action(detail=True, methods=["get"], url_path="evidence-file", url_name="evidence-file")
    def evidence_file(self, request: Request, pk: str | None = None) -> FileResponse:
        """The evidence file kept at sign-off."""
        milestone = self.get_object()
        return serve_file(milestone.evidence_file, filename=uploaded_name(milestone.evidence_file))


class PlacementViewSet(ScopedViewSet):
    model = m.Placement
    serializer_class = s.PlacementSerializer
    related = ("host", "confirmed_by", "completed_by", "cancelled_by")
    filterset_fields = ["student", "host", "status", "practice_tutor"]
    ordering_fields = ["start_date", "end_date"]

    def get_queryset(self) -> QuerySet[Any]:
        return cast(Any, super().get_queryset()).with_capacity()


class ProjectViewSet(ScopedViewSet):
    model = m.Project
    serializer_class = s.ProjectSerializer
    related = ("proposed_by", "completion_requested_by", "completion_confirmed_by")
    prefetch = (
        "partner_organizations",
        Prefetch("members", queryset=m.ProjectMember.objects.select_related("user")),
        "outputs",
    )
    filterset_fields = ["program", "kind", "size", "status", "lead_organization"]
    ordering_fields = ["start_date", "title"]


class ProgressLogViewSet(ScopedViewSet):
    model = m.ProgressLog
    serializer_class = s.ProgressLogSerializer
    related = ("author",)
    filterset_fields = ["student", "kind", "shared", "author"]
    ordering_fields = ["date", "minutes", "created_at"]


class CaseLogViewSet(ScopedViewSet):
    model = m.CaseLog
    serializer_class = s.CaseLogSerializer
    filterset_fields = ["student", "modality", "role", "placement"]
    ordering_fields = ["date", "count"]


class BudgetLineViewSet(ScopedViewSet):
    model = m.BudgetLine
    serializer_class = s.BudgetLineSerializer
    related = ("holder",)
    filterset_fields = ["program", "holder", "category"]
    ordering_fields = ["start_date", "end_date", "amount"]

    def get_queryset(self) -> QuerySet[Any]:
        return (
            m.BudgetLine.objects.visible_to(self.request.user)
            .with_spending()
            .select_related(*self.related)
            .order_by("program", "-start_date", "title")
        )


class ExpenditureViewSet(ScopedViewSet):
    model = m.Expenditure
    serializer_class = s.ExpenditureSerializer
    related = ("submitted_by", "approved_by")
    filterset_fields = ["line", "status", "category"]
    ordering_fields = ["spent_on", "amount", "submitted_at"]

    @extend_schema(responses={200: FILE})
    @action(detail=True, methods=["get"], url_path="receipt", url_name="receipt")
    def receipt(self, request: Request, pk: str | None = None) -> FileResponse:
        """The receipt, with the name it was uploaded under."""
        expenditure = self.get_object()
        return serve_file(expenditure.receipt, filename=expenditure.receipt_name)


# ---- Writes: validate the input, call one service, answer with the record --------------------

VISIBLE_INPUTS: dict[str, Any] = {
    "student": m.Student,
    "placement": m.Placement,
    "line": m.BudgetLine,
    "tutor": m.TutorProfile,
}


class TrainingPlanWrites(TrainingPlanViewSet, viewsets.GenericViewSet[Any]):
    """Plans are drafted by their student and move through submit → tutor-approve → approve."""

    @extend_schema(request=a.PlanInputSerializer, responses={201: s.TrainingPlanSerializer})
    def create(self, request: Request) -> Response:
        data = read_input(request, a.PlanInputSerializer, scoped=VISIBLE_INPUTS)
        plan = training.draft_plan(user=actor(request), **data)
        return answer(self, plan, status.HTTP_201_CREATED)

    @extend_schema(request=a.PlanInputSerializer, responses={200: s.TrainingPlanSerializer})
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        plan = self.get_object()
        data = read_input(request, a.PlanInputSerializer, scoped=VISIBLE_INPUTS)
        data.pop("student", None)
        return answer(self, training.update_plan(user=actor(request), plan=plan, **data))

    def _transition(self, request: Request, service: Any, **extra: Any) -> Response:
        return answer(self, service(user=actor(request), plan=self.get_object(), **extra))

    @extend_schema(request=None, responses={200: s.TrainingPlanSerializer})
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        return self._transition(request, training.submit_plan)

    @extend_schema(request=None, responses={200: s.TrainingPlanSerializer})
    @action(detail=True, methods=["post"], url_path="tutor-approve")
    def tutor_approve(self, request: Request, pk: str | None = None) -> Response:
        return self._transition(request, training.tutor_approve_plan)

    @extend_schema(request=None, responses={200: s.TrainingPlanSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        return self._transition(request, training.approve_plan)

    @extend_schema(request=a.CommentSerializer, responses={200: s.TrainingPlanSerializer})
    @action(detail=True, methods=["post"], url_path="return")
    def return_to_student(self, request: Request, pk: str | None = None) -> Response:
        comment = read_input(request, a.CommentSerializer, scoped=VISIBLE_INPUTS)["comment"]
        return self._transition(request, training.return_plan, comment=comment)

    @extend_schema(request=None, responses={201: s.TrainingPlanSerializer})
    @action(detail=True, methods=["post"])
    def revise(self, request: Request, pk: str | None = None) -> Response:
        plan = training.revise_plan(user=actor(request), plan=self.get_object())
        return answer(self, plan, status.HTTP_201_CREATED)


class MilestoneWrites(MilestoneViewSet, viewsets.GenericViewSet[Any]):
    @extend_schema(request=a.MilestoneSignOffSerializer, responses={200: s.MilestoneSerializer})
    @action(detail=True, methods=["post"], url_path="sign-off")
    def sign_off(self, request: Request, pk: str | None = None) -> Response:
        data = read_input(request, a.MilestoneSignOffSerializer, scoped=VISIBLE_INPUTS)
        milestone = training.sign_off_milestone(
            user=actor(request), milestone=self.get_object(), **data
        )
        return answer(self, milestone)


class PlacementWrites(PlacementViewSet, viewsets.GenericViewSet[Any]):
    """The lifecycle of `services.placements.TRANSITIONS`: edit (planned), start (= confirm),
    complete with the host's evaluation, cancel with a reason."""

    def get_queryset(self) -> QuerySet[Any]:
        return super().get_queryset().select_related("student__program", "practice_tutor")

    @extend_schema(request=None, responses={200: s.PlacementSerializer})
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str | None = None) -> Response:
        placement = placements.confirm_placement(user=actor(request), placement=self.get_object())
        return answer(self, placement)

    @extend_schema(request=a.PlacementEditSerializer, responses={200: s.PlacementSerializer})
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        placement = self.get_object()
        data = read_scoped_input(request, a.PlacementEditSerializer)
        return answer(
            self, placements.update_placement(user=actor(request), placement=placement, **data)
        )

    @extend_schema(request=a.PlacementStartSerializer, responses={200: s.PlacementSerializer})
    @action(detail=True, methods=["post"])
    def start(self, request: Request, pk: str | None = None) -> Response:
        placement = self.get_object()
        data = read_input(request, a.PlacementStartSerializer, scoped=VISIBLE_INPUTS)
        return answer(
            self, placements.start_placement(user=actor(request), placement=placement, **data)
        )

    @extend_schema(request=a.PlacementCompleteSerializer, responses={200: s.PlacementSerializer})
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: str | None = None) -> Response:
        placement = self.get_object()
        data = read_input(request, a.PlacementCompleteSerializer, scoped=VISIBLE_INPUTS)
        return answer(
            self, placements.complete_placement(user=actor(request), placement=placement, **data)
        )

    @extend_schema(request=a.ReasonSerializer, responses={200: s.PlacementSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        placement = self.get_object()
        reason = read_input(request, a.ReasonSerializer, scoped=VISIBLE_INPUTS)["reason"]
        return answer(
            self,
            placements.cancel_placement(user=actor(request), placement=placement, reason=reason),
        )


class ProgressLogWrites(ProgressLogViewSet, viewsets.GenericViewSet[Any]):
    """Tutors write logs (with the cases of the session); students acknowledge shared ones."""

    @extend_schema(request=a.ProgressLogInputSerializer, responses={201: s.ProgressLogSerializer})
    def create(self, request: Request) -> Response:
        data = read_input(request, a.ProgressLogInputSerializer, scoped=VISIBLE_INPUTS)
        log = logs.write_progress_log(user=actor(request), **data)
        return answer(self, log, status.HTTP_201_CREATED)

    @extend_schema(request=a.CommentSerializer, responses={200: s.ProgressLogSerializer})
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk: str | None = None) -> Response:
        comment = read_input(request, a.CommentSerializer, scoped=VISIBLE_INPUTS)["comment"]
        return answer(
            self, logs.acknowledge_log(user=actor(request), log=self.get_object(), comment=comment)
        )

    @extend_schema(request=a.CorrectionSerializer, responses={201: s.ProgressLogSerializer})
    @action(detail=True, methods=["post"])
    def corrections(self, request: Request, pk: str | None = None) -> Response:
        text = read_input(request, a.CorrectionSerializer, scoped=VISIBLE_INPUTS)["text"]
        log = self.get_object()
        logs.add_correction(user=actor(request), log=log, text=text)
        return answer(self, log, status.HTTP_201_CREATED)

    @extend_schema(request=a.SignOffRequestSerializer, responses={202: None})
    @action(detail=True, methods=["post"], url_path="request-signoff")
    def request_signoff(self, request: Request, pk: str | None = None) -> Response:
        tutor = read_input(request, a.SignOffRequestSerializer, scoped=VISIBLE_INPUTS)["tutor"]
        signoff.issue_signoff_link(
            user=actor(request), target=self.get_object(), tutor_user=tutor.user
        )
        return Response(status=status.HTTP_202_ACCEPTED)


class CaseLogWrites(CaseLogViewSet, viewsets.GenericViewSet[Any]):
    @extend_schema(request=a.CaseLogInputSerializer, responses={201: s.CaseLogSerializer})
    def create(self, request: Request) -> Response:
        data = read_input(request, a.CaseLogInputSerializer, scoped=VISIBLE_INPUTS)
        return answer(
            self, logs.record_case_log(user=actor(request), **data), status.HTTP_201_CREATED
        )

    @extend_schema(request=None, responses={200: s.CaseLogSerializer})
    @action(detail=True, methods=["post"])
    def verify(self, request: Request, pk: str | None = None) -> Response:
        return answer(self, logs.verify_case_log(user=actor(request), case_log=self.get_object()))

    @extend_schema(request=a.CaseQuestionSerializer, responses={200: s.CaseLogSerializer})
    @action(detail=True, methods=["post"])
    def query(self, request: Request, pk: str | None = None) -> Response:
        case_log = self.get_object()
        question = read_input(request, a.CaseQuestionSerializer, scoped=VISIBLE_INPUTS)["question"]
        return answer(
            self, logs.query_case_log(user=actor(request), case_log=case_log, question=question)
        )

    @extend_schema(request=a.ReasonSerializer, responses={200: s.CaseLogSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str | None = None) -> Response:
        case_log = self.get_object()
        reason = read_input(request, a.ReasonSerializer, scoped=VISIBLE_INPUTS)["reason"]
        return answer(
            self, logs.reject_case_log(user=actor(request), case_log=case_log, reason=reason)
        )

    @extend_schema(responses={200: s.CaseLogSerializer(many=True)})
    @action(
        detail=False,
        methods=["get"],
        url_path="to-answer",
        url_name="to-answer",
        permission_classes=[Predicate.of(is_student)],
    )
    def to_answer(self, request: Request) -> Response:
        """The caller's own cases that their tutor queried or rejected, oldest first, as on
        the page "Cases to answer" (students only); each is answered with `answer`."""
        rows = self.filter_queryset(
            self.get_queryset()
            .filter(logs.CASES_TO_ANSWER, student__user=request.user)
            .order_by("date", "id")
        )
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(request=a.CaseAnswerSerializer, responses={200: s.CaseLogSerializer})
    @action(detail=True, methods=["post"], url_path="answer", url_name="answer")
    def answer_query(self, request: Request, pk: str | None = None) -> Response:
        case_log = self.get_object()
        data = read_input(request, a.CaseAnswerSerializer, scoped=VISIBLE_INPUTS)
        return answer(self, logs.answer_case_log(user=actor(request), case_log=case_log, **data))


class ExpenditureWrites(ExpenditureViewSet, viewsets.GenericViewSet[Any]):
    """Submitted by administrators or the holder's coordinators; decided by someone else."""

    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(request=a.ExpenditureInputSerializer, responses={201: s.ExpenditureSerializer})
    def create(self, request: Request) -> Response:
        data = read_input(request, a.ExpenditureInputSerializer, scoped=VISIBLE_INPUTS)
        return answer(
            self, funds.submit_expenditure(user=actor(request), **data), status.HTTP_201_CREATED
        )

    @extend_schema(request=a.OverrideSerializer, responses={200: s.ExpenditureSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        reason = read_input(request, a.OverrideSerializer, scoped=VISIBLE_INPUTS)["override_reason"]
        expenditure = funds.approve_expenditure(
            user=actor(request), expenditure=self.get_object(), override_reason=reason
        )
        return answer(self, expenditure)

    @extend_schema(request=a.ReasonSerializer, responses={200: s.ExpenditureSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str | None = None) -> Response:
        reason = read_input(request, a.ReasonSerializer, scoped=VISIBLE_INPUTS)["reason"]
        expenditure = funds.reject_expenditure(
            user=actor(request), expenditure=self.get_object(), reason=reason
        )
        return answer(self, expenditure)


# ---- Writes of partners, programs, people, placements and budget lines -----------------------

MORE_VISIBLE_INPUTS: dict[str, Any] = {
    **VISIBLE_INPUTS,
    "program": m.Program,
    "practice_tutor": m.TutorProfile,
    "approver": User,
}


def read_scoped_input(request: Request, serializer_class: Any) -> dict[str, Any]:
    """`read_input`, with programs, practice tutors and approvers also scoped to the caller."""
    return read_input(request, serializer_class, scoped=MORE_VISIBLE_INPUTS)


@contextmanager
def errors_renamed(**names: str) -> Iterator[None]:
    """Report a service's field errors under the API's field names (`student_user` → `email`)."""
    try:
        yield
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        raise ValidationError(
            {names.get(field, field): errors for field, errors in exc.error_dict.items()}
        ) from exc


class Removable(viewsets.GenericViewSet[Any]):
    """Actions of an element that is deleted, or retired when other records refer to it."""

    def _managed(self, request: Request) -> Any:
        element = self.get_object()
        if not can_manage_program(actor(request), element.program):
            raise PermissionDenied
        return element

    @extend_schema(request=None, responses={200: a.RemovalSerializer})
    @action(detail=True, methods=["get"])
    def removal(self, request: Request, pk: str | None = None) -> Response:
        """What `remove` would do: delete, or retire because other records refer to it."""
        removal = elements.removal_of(self._managed(request))
        return Response({"action": removal.action, "reasons": removal.reasons})

    @extend_schema(request=None, responses={200: a.RemovalSerializer})
    @action(detail=True, methods=["post"])
    def remove(self, request: Request, pk: str | None = None) -> Response:
        removal = elements.remove_element(user=actor(request), element=self.get_object())
        return Response({"action": removal.action, "reasons": removal.reasons})

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def reinstate(self, request: Request, pk: str | None = None) -> Response:
        element = elements.reinstate_element(user=actor(request), element=self.get_object())
        return answer(self, element)


class OrganizationWrites(OrganizationViewSet, viewsets.GenericViewSet[Any]):
    """Programme administrators register partner subjects; portal administrators rate them."""

    @extend_schema(request=a.OrganizationInputSerializer, responses={201: s.OrganizationSerializer})
    def create(self, request: Request) -> Response:
        data = read_scoped_input(request, a.OrganizationInputSerializer)
        organization = partners.create_organization(user=actor(request), **data)
        return answer(self, organization, status.HTTP_201_CREATED)

    @extend_schema(
        request=a.OrganizationUpdateSerializer, responses={200: s.OrganizationSerializer}
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        organization = self.get_object()
        data = read_scoped_input(request, a.OrganizationUpdateSerializer)
        organizations.update_organization(user=actor(request), organization=organization, **data)
        return answer(self, organization)

    @extend_schema(
        request=a.OrganizationStatusInputSerializer, responses={200: s.OrganizationSerializer}
    )
    @action(detail=True, methods=["post"], url_path="status", url_name="status")
    def change_status(self, request: Request, pk: str | None = None) -> Response:
        organization = self.get_object()
        data = read_scoped_input(request, a.OrganizationStatusInputSerializer)
        partners.change_organization_status(user=actor(request), organization=organization, **data)
        return answer(self, organization)


class ProgramWrites(ProgramViewSet, viewsets.GenericViewSet[Any]):
    @extend_schema(request=a.ProgramInputSerializer, responses={201: s.ProgramSerializer})
    def create(self, request: Request) -> Response:
        data = read_scoped_input(request, a.ProgramInputSerializer)
        program = partners.create_program(user=actor(request), **data)
        return answer(self, program, status.HTTP_201_CREATED)

    @extend_schema(request=a.ProgramUpdateSerializer, responses={200: s.ProgramSerializer})
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        program = self.get_object()
        data = read_partial(request, a.ProgramUpdateSerializer)
        elements.update_program(user=actor(request), program=program, **data)
        return answer(self, program)

    @extend_schema(request=a.ProgramTransitionSerializer, responses={200: s.ProgramSerializer})
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, pk: str | None = None) -> Response:
        """Activate, close or reopen the program (see `programs.design.workflow`); closing takes
        `"confirm": true`."""
        program = self.get_object()
        data = read_input(request, a.ProgramTransitionSerializer, scoped=VISIBLE_INPUTS)
        elements.transition_program(
            user=actor(request),
            program=program,
            name=data["transition"],
            reason=data["reason"],
            confirmed=data["confirm"],
        )
        return answer(self, program)


class ProgramPartnerWrites(Removable, ProgramPartnerViewSet):
    """Partners are added by the program's administrators, with their responsibilities."""

    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(request=a.PartnerInputSerializer, responses={201: s.ProgramPartnerSerializer})
    def create(self, request: Request) -> Response:
        data = read_scoped_input(request, a.PartnerInputSerializer)
        partner = partners.add_partner(user=actor(request), **data)
        return answer(self, partner, status.HTTP_201_CREATED)

    def _set_responsibilities(self, request: Request) -> Response:
        partner = self.get_object()
        chosen = read_scoped_input(request, a.ResponsibilitiesInputSerializer)
        partners.update_partner_responsibilities(
            user=actor(request), partner=partner, responsibilities=chosen["responsibilities"]
        )
        return answer(self, partner)

    @extend_schema(request=a.PartnerUpdateSerializer, responses={200: s.ProgramPartnerSerializer})
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        """The agreement (dates, places, a new signed file) and the responsibilities."""
        partner = self.get_object()
        data = read_partial(request, a.PartnerUpdateSerializer)
        values = merged(partner, data, ("agreement_start", "agreement_end", "places_offered"))
        elements.update_partner(
            user=actor(request),
            partner=partner,
            responsibilities=data.get("responsibilities"),
            agreement_file=data.get("agreement_file"),
            **values,
        )
        return answer(self, partner)

    @extend_schema(
        request=a.ResponsibilitiesInputSerializer, responses={200: s.ProgramPartnerSerializer}
    )
    @action(detail=True, methods=["post"], url_path="responsibilities", url_name="responsibilities")
    def set_responsibilities(self, request: Request, pk: str | None = None) -> Response:
        return self._set_responsibilities(request)

    @extend_schema(
        request=a.AgreementRenewalInputSerializer, responses={200: s.ProgramPartnerSerializer}
    )
    @action(detail=True, methods=["post"], url_path="renew", url_name="renew")
    def renew(self, request: Request, pk: str | None = None) -> Response:
        """Extend the agreement to a new end date, optionally with the newly signed file."""
        partner = self.get_object()
        data = read_scoped_input(request, a.AgreementRenewalInputSerializer)
        organizations.renew_agreement(user=actor(request), partner=partner, **data)
        return answer(self, partner)


class TutorWrites(TutorViewSet, viewsets.GenericViewSet[Any]):
    """A tutor profile for an existing account, named by its e-mail address."""

    def get_queryset(self) -> QuerySet[Any]:
        if self.action == "create":
            # A new tutor of the lead university is visible to its program administrators only
            # once they supervise someone; whoever created it reads it back all the same.
            return m.TutorProfile.objects.with_load().select_related(*self.related)
        return super().get_queryset()

    @extend_schema(request=a.TutorInputSerializer, responses={201: s.TutorSerializer})
    def create(self, request: Request) -> Response:
        data = read_scoped_input(request, a.TutorInputSerializer)
        with errors_renamed(tutor_user="email"):
            tutor = people.create_tutor(user=actor(request), tutor_user=data.pop("email"), **data)
        return answer(self, tutor, status.HTTP_201_CREATED)


class StudentWrites(StudentStatusActions, StudentViewSet, viewsets.GenericViewSet[Any]):
    """Enrolment of an existing account (by e-mail address), the choice of its tutors, and the
    student's status lifecycle (`StudentStatusActions`)."""

    @extend_schema(request=a.StudentInputSerializer, responses={201: s.StudentSerializer})
    def create(self, request: Request) -> Response:
        data = read_scoped_input(request, a.StudentInputSerializer)
        with errors_renamed(student_user="email"):
            student = people.enrol_student(
                user=actor(request), student_user=data.pop("email"), **data
            )
        return answer(self, student, status.HTTP_201_CREATED)

    @extend_schema(request=a.AssignTutorInputSerializer, responses={201: s.StudentSerializer})
    @action(detail=True, methods=["post"], url_path="assign-tutor")
    def assign_tutor(self, request: Request, pk: str | None = None) -> Response:
        student = self.get_object()
        if not can_manage_students(actor(request), student.program):
            raise PermissionDenied
        # Besides the tutors they see, the program's administrators may choose any tutor of an
        # organisation taking part in the program, even one who supervises nobody yet.
        serializer = a.AssignTutorInputSerializer(data=request.data, context={"request": request})
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


class PlacementCreateWrites(PlacementWrites):
    """Placements are planned by the program's administrators, then confirmed by the host."""

    @extend_schema(request=a.PlacementInputSerializer, responses={201: s.PlacementSerializer})
    def create(self, request: Request) -> Response:
        data = read_scoped_input(request, a.PlacementInputSerializer)
        placement = placements.create_placement(user=actor(request), **data)
        return answer(self, placement, status.HTTP_201_CREATED)


class BudgetLineWrites(BudgetLineViewSet, viewsets.GenericViewSet[Any]):
    @extend_schema(request=a.BudgetLineInputSerializer, responses={201: s.BudgetLineSerializer})
    def create(self, request: Request) -> Response:
        data = read_scoped_input(request, a.BudgetLineInputSerializer)
        line = funds.create_budget_line(user=actor(request), **data)
        return answer(self, line, status.HTTP_201_CREATED)


class ProjectWrites(ProjectViewSet, viewsets.GenericViewSet[Any]):
    """Projects are proposed by a program's administrators or by the coordinators of an
    organisation taking part; the administrators and the lead's coordinators run them."""

    def _managed(self, request: Request) -> m.Project:
        """The project (404 outside what the caller sees), if the caller may run it (else 403)."""
        project = self.get_object()
        if not can_manage_project(actor(request), project):
            raise PermissionDenied
        return cast(m.Project, project)

    @extend_schema(request=a.ProjectInputSerializer, responses={201: s.ProjectSerializer})
    def create(self, request: Request) -> Response:
        data = read_scoped_input(request, a.ProjectInputSerializer)
        project = projects.create_project(user=actor(request), **data)
        return answer(self, project, status.HTTP_201_CREATED)

    def _change_status(self, request: Request) -> Response:
        project = self._managed(request)
        to_status = read_input(request, a.ProjectStatusInputSerializer)["status"]
        projects.update_project_status(user=actor(request), project=project, status=to_status)
        return answer(self, project)

    @extend_schema(request=a.ProjectStatusInputSerializer, responses={200: s.ProjectSerializer})
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        return self._change_status(request)

    @extend_schema(request=a.ProjectStatusInputSerializer, responses={200: s.ProjectSerializer})
    @action(detail=True, methods=["post"], url_path="status", url_name="status")
    def change_status(self, request: Request, pk: str | None = None) -> Response:
        return self._change_status(request)

    @extend_schema(request=a.ReasonSerializer, responses={200: s.ProjectSerializer})
    @action(detail=True, methods=["post"])
    def refuse(self, request: Request, pk: str | None = None) -> Response:
        project = self.get_object()
        reason = read_input(request, a.ReasonSerializer, scoped=VISIBLE_INPUTS)["reason"]
        projects.refuse_project(user=actor(request), project=project, reason=reason)
        return answer(self, project)

    @extend_schema(request=None, responses={200: s.ProjectSerializer})
    @action(
        detail=True,
        methods=["post"],
        url_path="completion/request",
        url_name="completion-request",
    )
    def request_completion(self, request: Request, pk: str | None = None) -> Response:
        project = self.get_object()
        projects.request_completion(user=actor(request), project=project)
        return answer(self, project)

    @extend_schema(request=None, responses={200: s.ProjectSerializer})
    @action(
        detail=True,
        methods=["post"],
        url_path="completion/confirm",
        url_name="completion-confirm",
    )
    def confirm_completion(self, request: Request, pk: str | None = None) -> Response:
        project = self.get_object()
        projects.confirm_completion(user=actor(request), project=project)
        return answer(self, project)

    @extend_schema(request=a.ProjectMemberInputSerializer, responses={201: s.ProjectSerializer})
    @action(detail=True, methods=["post"])
    def members(self, request: Request, pk: str | None = None) -> Response:
        project = self._managed(request)
        data = read_input(request, a.ProjectMemberInputSerializer, scoped=VISIBLE_INPUTS)
        with errors_renamed(member_user="email"):
            projects.add_member(
                user=actor(request), project=project, member_user=data["email"], role=data["role"]
            )
        return answer(self, project, status.HTTP_201_CREATED)

    @extend_schema(request=a.ProjectMemberRemoveSerializer, responses={200: s.ProjectSerializer})
    @action(detail=True, methods=["post"], url_path="members/remove", url_name="member-remove")
    def remove_member(self, request: Request, pk: str | None = None) -> Response:
        project = self._managed(request)
        member_user = read_input(request, a.ProjectMemberRemoveSerializer)["email"]
        with errors_renamed(member_user="email"):
            projects.remove_member(user=actor(request), project=project, member_user=member_user)
        return answer(self, project)

    @extend_schema(request=a.ProjectOutputInputSerializer, responses={201: s.ProjectSerializer})
    @action(detail=True, methods=["post"])
    def outputs(self, request: Request, pk: str | None = None) -> Response:
        project = self._managed(request)
        data = read_input(request, a.ProjectOutputInputSerializer, scoped=VISIBLE_INPUTS)
        projects.add_output(user=actor(request), project=project, **data)
        return answer(self, project, status.HTTP_201_CREATED)


# ---- Program elements: edit, remove (delete or retire), reinstate, reorder ---------------------


def read_partial(request: Request, serializer_class: Any) -> dict[str, Any]:
    """Validate a partial update: only the fields sent; the program never moves."""
    serializer = serializer_class(data=request.data, partial=True, context={"request": request})
    serializer.is_valid(raise_exception=True)
    data = dict(serializer.validated_data)
    data.pop("program", None)
    return data


def merged(instance: Any, data: dict[str, Any], names: Any) -> dict[str, Any]:
    """A partial update's values: what was sent, the record's own values for the rest."""
    return {name: data[name] if name in data else getattr(instance, name) for name in names}


class ElementWrites(Removable, ScopedViewSet):
    """An element of a program: read by whoever sees the program, written by its
    administrators through the `elements` services (403 for others, 404 outside the program's
    visibility, 400 for bad input or a status that forbids the change)."""

    input_serializer: Any
    update_serializer: Any = None
    argument: str
    editable: tuple[str, ...]
    filterset_fields = ["program"]
    ordering_fields = ["id"]

    def get_queryset(self) -> QuerySet[Any]:
        programs = m.Program.objects.visible_to(self.request.user)
        return self.model.objects.filter(program__in=programs).select_related("program")

    #: Each element names its two services: `add_element(user, **data)` and
    #: `update_element(user, element, **values)`.
    add_element: Callable[..., Any]
    update_element: Callable[..., Any]

    def create(self, request: Request) -> Response:
        data = read_scoped_input(request, self.input_serializer)
        return answer(self, self.add_element(actor(request), **data), status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        element = self.get_object()
        data = read_partial(request, self.update_serializer or self.input_serializer)
        self.update_element(actor(request), element, **merged(element, data, self.editable))
        return answer(self, element)


class OrderedElementWrites(ElementWrites):
    @extend_schema(request=a.MoveSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request: Request, pk: str | None = None) -> Response:
        direction = read_input(request, a.MoveSerializer, scoped=VISIBLE_INPUTS)["direction"]
        element = elements.move_element(
            user=actor(request), element=self.get_object(), direction=direction
        )
        return answer(self, element)


class ObjectiveWrites(OrderedElementWrites):
    model = m.TrainingObjective
    serializer_class = s.ProgramObjectiveSerializer
    input_serializer = a.ObjectiveInputSerializer
    editable = ("title", "description")

    def add_element(self, user: User, **data: Any) -> Any:
        return partners.add_objective(user=user, **data)

    def update_element(self, user: User, element: Any, **values: Any) -> Any:
        return elements.update_objective(user=user, objective=element, **values)


class StageWrites(OrderedElementWrites):
    model = m.Stage
    serializer_class = s.ProgramStageSerializer
    input_serializer = a.StageInputSerializer
    editable = ("kind", "title", "expected_months")

    def add_element(self, user: User, **data: Any) -> Any:
        return partners.add_stage(user=user, **data)

    def update_element(self, user: User, element: Any, **values: Any) -> Any:
        return elements.update_stage(user=user, stage=element, **values)


class MilestoneTemplateWrites(ElementWrites):
    model = m.MilestoneTemplate
    serializer_class = s.ProgramMilestoneTemplateSerializer
    input_serializer = a.MilestoneTemplateInputSerializer
    editable = ("kind", "title", "due_offset_days", "stage")

    def add_element(self, user: User, **data: Any) -> Any:
        return partners.add_milestone_template(user=user, **data)

    def update_element(self, user: User, element: Any, **values: Any) -> Any:
        return elements.update_milestone_template(user=user, template=element, **values)


class CurriculumWrites(ElementWrites):
    """A course in a program's curriculum; created from an existing course or a new one."""

    model = m.ProgramCourse
    serializer_class = s.ProgramCurriculumSerializer
    input_serializer = a.CurriculumInputSerializer
    update_serializer = a.CurriculumUpdateSerializer
    editable = ("requirement", "semester")

    def get_queryset(self) -> QuerySet[Any]:
        return super().get_queryset().select_related("course")

    def add_element(self, user: User, **data: Any) -> Any:
        new_course = data.pop("new_course")
        if new_course is None:
            return partners.add_course_to_curriculum(user=user, **data)
        data["course"] = m.Course(**new_course)
        return partners.create_course_in_curriculum(user=user, **data)

    def update_element(self, user: User, element: Any, **values: Any) -> Any:
        return elements.update_curriculum_entry(user=user, entry=element, **values)


class CourseWrites(CourseViewSet, viewsets.GenericViewSet[Any]):
    """A course is changed by a portal administrator or by an administrator of every program
    that teaches it (`can_edit_course`)."""

    @extend_schema(request=a.CourseInputSerializer, responses={200: s.CourseSerializer})
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        course = self.get_object()
        data = read_partial(request, a.CourseInputSerializer)
        names = a.CourseInputSerializer().fields.keys()
        elements.update_course(user=actor(request), course=course, **merged(course, data, names))
        return answer(self, course)


# ---- Counsellors posted at an organisation -----------------------------------------------------


class CounsellorPostingFilter(django_filters.FilterSet):
    organization = django_filters.NumberFilter(field_name="scope_id", label=_("Organisation"))
    current = django_filters.BooleanFilter(method="filter_current", label=_("In force today"))

    class Meta:
        model = RoleMembership
        fields: list[str] = []

    def filter_current(self, queryset: Any, name: str, value: bool) -> Any:
        current = queryset.current()
        return current if value else queryset.exclude(pk__in=current.values("pk"))


class CounsellorPostingWrites(ScopedViewSet, viewsets.GenericViewSet[Any]):
    """Counsellors posted at an organisation (its mental-health service): read by those who see
    the organisation's people, as on its page; posted, corrected and ended by portal
    administrators (`can_post_counsellors`). A posting is ended, never deleted."""

    serializer_class = s.CounsellorPostingSerializer
    filterset_class = CounsellorPostingFilter
    ordering_fields = ["valid_from", "valid_until"]

    def get_queryset(self) -> QuerySet[Any]:
        if getattr(self, "swagger_fake_view", False):  # the schema: no content types to read
            return RoleMembership.objects.none()
        names = m.Organization.objects.filter(pk=OuterRef("scope_id")).values("name")
        return (
            counsellors.postings_visible_to(self.request.user)
            .select_related("user")
            .annotate(organization_name=Subquery(names))
            .order_by("organization_name", "user__full_name", "pk")
        )

    def _managed(self, request: Request) -> RoleMembership:
        """The posting (404 outside what the caller sees), if the caller may change it (403)."""
        membership = cast(RoleMembership, self.get_object())
        if not can_post_counsellors(actor(request), membership.scope):
            raise PermissionDenied
        return membership

    @extend_schema(
        request=a.CounsellorPostingInputSerializer, responses={201: s.CounsellorPostingSerializer}
    )
    def create(self, request: Request) -> Response:
        """Post the person with an account under `email` at the organisation, from today."""
        data = read_input(request, a.CounsellorPostingInputSerializer, scoped=VISIBLE_INPUTS)
        membership = counsellors.post_counsellor(user=actor(request), **data)
        return answer(self, membership, status.HTTP_201_CREATED)

    @extend_schema(
        request=a.CounsellorPostingCorrectionSerializer,
        responses={200: s.CounsellorPostingSerializer},
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        """Correct the posting's first or last day (null: open)."""
        membership = self._managed(request)
        data = read_partial(request, a.CounsellorPostingCorrectionSerializer)
        dates = merged(membership, data, ("valid_from", "valid_until"))
        counsellors.correct_counsellor_posting(user=actor(request), membership=membership, **dates)
        return answer(self, membership)

    @extend_schema(request=None, responses={200: s.CounsellorPostingSerializer})
    @action(detail=True, methods=["post"])
    def end(self, request: Request, pk: str | None = None) -> Response:
        """End the posting today (it is kept, with its history)."""
        membership = self._managed(request)
        counsellors.end_counsellor_posting(user=actor(request), membership=membership)
        return answer(self, membership)
