"""The API of projects: proposed, refused or run by the program's administrators and the
lead's coordinators, with their members and outputs, and their completion."""

from __future__ import annotations

from typing import Any, cast

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from programs.projects import services as projects
from programs.projects.permissions import can_manage_project
from training_portal.core.api.serializers import optional_text
from training_portal.core.api.viewsets import ScopedViewSet, actor, answer, read_input

from .. import models as m
from ..api_common import (
    VISIBLE_INPUTS,
    AccountEmailMixin,
    ReasonSerializer,
    creates,
    errors_renamed,
    step,
)
from .filters import ProjectFilter

# ---- Serializers ------------------------------------------------------------------------------


class ProjectMemberSerializer(serializers.ModelSerializer[m.ProjectMember]):
    email = serializers.EmailField(source="user.email", read_only=True)

    class Meta:
        model = m.ProjectMember
        fields = ["user", "email", "role"]


class ProjectOutputSerializer(serializers.ModelSerializer[m.ProjectOutput]):
    class Meta:
        model = m.ProjectOutput
        fields = ["kind", "title", "reference", "produced_on"]


class ProjectSerializer(serializers.ModelSerializer[m.Project]):
    members = ProjectMemberSerializer(many=True, read_only=True)
    outputs = ProjectOutputSerializer(many=True, read_only=True)
    partner_organizations: Any = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    proposed_by = serializers.EmailField(source="proposed_by.email", read_only=True, default=None)
    completion_requested_by = serializers.EmailField(
        source="completion_requested_by.email", read_only=True, default=None
    )
    completion_confirmed_by = serializers.EmailField(
        source="completion_confirmed_by.email", read_only=True, default=None
    )

    class Meta:
        model = m.Project
        fields = [
            "id",
            "program",
            "title",
            "kind",
            "size",
            "lead_organization",
            "partner_organizations",
            "status",
            "start_date",
            "end_date",
            "description",
            "members",
            "outputs",
            "proposed_by",
            "refusal_reason",
            "completion_requested_by",
            "completion_requested_at",
            "completion_confirmed_by",
            "completion_confirmed_at",
        ]


# ---- Inputs -----------------------------------------------------------------------------------


class ProjectInputSerializer(serializers.Serializer[Any]):
    program = serializers.PrimaryKeyRelatedField(queryset=m.Program.objects.all())
    title = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=m.Project.Kind.choices)
    size = serializers.ChoiceField(choices=m.Project.Size.choices)
    lead_organization = serializers.PrimaryKeyRelatedField(queryset=m.Organization.objects.all())
    partner_organizations = serializers.PrimaryKeyRelatedField(
        queryset=m.Organization.objects.all(), many=True, required=False, default=list
    )
    start_date = serializers.DateField(required=False, allow_null=True, default=None)
    end_date = serializers.DateField(required=False, allow_null=True, default=None)
    description = optional_text()


class ProjectStatusInputSerializer(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=m.Project.Status.choices)


class ProjectMemberInputSerializer(AccountEmailMixin):
    role = serializers.ChoiceField(
        choices=m.ProjectMember.Role.choices, required=False, default=m.ProjectMember.Role.MEMBER
    )


class ProjectMemberRemoveSerializer(AccountEmailMixin):
    pass


class ProjectOutputInputSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=m.ProjectOutput.Kind.choices)
    title = serializers.CharField(max_length=300)
    reference = optional_text(max_length=300)
    produced_on = serializers.DateField(required=False, allow_null=True, default=None)


# ---- Viewsets ---------------------------------------------------------------------------------


class ProjectViewSet(ScopedViewSet):
    model = m.Project
    serializer_class = ProjectSerializer
    related = ("proposed_by", "completion_requested_by", "completion_confirmed_by")
    prefetch = (
        "partner_organizations",
        Prefetch("members", queryset=m.ProjectMember.objects.select_related("user")),
        "outputs",
    )
    filterset_class = ProjectFilter
    ordering_fields = ["start_date", "title"]


class ProjectWrites(ProjectViewSet, viewsets.GenericViewSet[Any]):
    """Projects are proposed by a program's administrators or by the coordinators of an
    organisation taking part; the administrators and the lead's coordinators run them."""

    def _managed(self, request: Request) -> m.Project:
        """The project (404 outside what the caller sees), if the caller may run it (else 403)."""
        project = self.get_object()
        if not can_manage_project(actor(request), project):
            raise PermissionDenied
        return cast(m.Project, project)

    create = creates(projects.create_project, ProjectInputSerializer)

    def _change_status(self, request: Request) -> Response:
        project = self._managed(request)
        to_status = read_input(request, ProjectStatusInputSerializer)["status"]
        projects.update_project_status(user=actor(request), project=project, status=to_status)
        return answer(self, project)

    @extend_schema(request=ProjectStatusInputSerializer, responses={200: ProjectSerializer})
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        return self._change_status(request)

    @extend_schema(request=ProjectStatusInputSerializer, responses={200: ProjectSerializer})
    @action(detail=True, methods=["post"], url_path="status", url_name="status")
    def change_status(self, request: Request, pk: str | None = None) -> Response:
        return self._change_status(request)

    refuse = step(projects.refuse_project, "project", input=ReasonSerializer)
    request_completion = step(
        projects.request_completion,
        "project",
        url_path="completion/request",
        url_name="completion-request",
    )
    confirm_completion = step(
        projects.confirm_completion,
        "project",
        url_path="completion/confirm",
        url_name="completion-confirm",
    )

    @extend_schema(request=ProjectMemberInputSerializer, responses={201: ProjectSerializer})
    @action(detail=True, methods=["post"])
    def members(self, request: Request, pk: str | None = None) -> Response:
        project = self._managed(request)
        data = read_input(request, ProjectMemberInputSerializer, scoped=VISIBLE_INPUTS)
        with errors_renamed(member_user="email"):
            projects.add_member(
                user=actor(request), project=project, member_user=data["email"], role=data["role"]
            )
        return answer(self, project, status.HTTP_201_CREATED)

    @extend_schema(request=ProjectMemberRemoveSerializer, responses={200: ProjectSerializer})
    @action(detail=True, methods=["post"], url_path="members/remove", url_name="member-remove")
    def remove_member(self, request: Request, pk: str | None = None) -> Response:
        project = self._managed(request)
        member_user = read_input(request, ProjectMemberRemoveSerializer)["email"]
        with errors_renamed(member_user="email"):
            projects.remove_member(user=actor(request), project=project, member_user=member_user)
        return answer(self, project)

    outputs = step(
        projects.add_output,
        "project",
        input=ProjectOutputInputSerializer,
        guard="_managed",
        status_code=status.HTTP_201_CREATED,
    )


router = SimpleRouter()
router.register("projects", ProjectWrites, basename="project")

urlpatterns = list(router.urls)
