"""The API of partners: the organisations of the partner register, the partners of each
program (their agreements and responsibilities), and the counsellors posted at an
organisation."""

from __future__ import annotations

from typing import Any, cast

from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from accounts.models import RoleMembership
from programs.design import services as elements
from programs.partners.permissions import can_open_agreement, can_post_counsellors
from programs.partners.services import counsellors, organizations, partners
from training_portal.core.api.serializers import optional_text
from training_portal.core.api.viewsets import ScopedViewSet, actor, answer
from training_portal.core.files import serve_file, uploaded_name

from .. import models as m
from ..api_common import (
    FILE,
    MORE_VISIBLE_INPUTS,
    VISIBLE_INPUTS,
    DownloadUrlsMixin,
    Removable,
    creates,
    merged,
    read_partial,
    read_scoped_input,
    step,
)
from .filters import CounsellorPostingFilter, OrganizationFilter, ProgramPartnerFilter

# ---- Serializers ------------------------------------------------------------------------------


class OrganizationSerializer(serializers.ModelSerializer[m.Organization]):
    class Meta:
        model = m.Organization
        fields = ["id", "name", "short_name", "kind", "status", "city", "website", "description"]
        read_only_fields = ["status"]


class ProgramPartnerSerializer(DownloadUrlsMixin, serializers.ModelSerializer[m.ProgramPartner]):
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    responsibilities = serializers.SerializerMethodField()
    agreement_file_url = serializers.SerializerMethodField(
        help_text="The signed agreement, for those who may open it (else null)."
    )

    class Meta:
        model = m.ProgramPartner
        fields = [
            "id",
            "program",
            "organization",
            "organization_name",
            "agreement_start",
            "agreement_end",
            "places_offered",
            "is_active",
            "responsibilities",
            "agreement_file_url",
        ]

    def get_agreement_file_url(self, partner: m.ProgramPartner) -> str | None:
        request = self.context.get("request")
        user = getattr(request, "user", None)
        present = partner.agreement_file and can_open_agreement(user, partner)
        return self._download("api:program-partner-agreement-file", partner.pk, present=present)

    def get_responsibilities(self, partner: m.ProgramPartner) -> list[str]:
        return [r.responsibility for r in partner.responsibilities.all()]


class CounsellorPostingSerializer(serializers.ModelSerializer[RoleMembership]):
    """A counsellor posted at an organisation (its mental-health service), current or ended."""

    organization = serializers.IntegerField(source="scope_id", read_only=True)
    organization_name = serializers.CharField(read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)
    name = serializers.CharField(source="user.full_name", read_only=True)
    is_current = serializers.SerializerMethodField(
        help_text="Whether the posting is in force today."
    )

    class Meta:
        model = RoleMembership
        fields = [
            "id",
            "organization",
            "organization_name",
            "user",
            "email",
            "name",
            "valid_from",
            "valid_until",
            "is_current",
        ]
        read_only_fields = ["user", "valid_from", "valid_until"]

    def get_is_current(self, membership: RoleMembership) -> bool:
        today = timezone.localdate()
        starts, ends = membership.valid_from, membership.valid_until
        return (starts is None or starts <= today) and (ends is None or ends >= today)


# ---- Inputs -----------------------------------------------------------------------------------


class OrganizationInputSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=200)
    short_name = optional_text(max_length=60)
    kind = serializers.ChoiceField(choices=m.Organization.Kind.choices)
    city = optional_text(max_length=100)
    website = serializers.URLField(required=False, allow_blank=True, default="")
    description = optional_text()


class OrganizationStatusInputSerializer(serializers.Serializer[Any]):
    to_status = serializers.ChoiceField(choices=m.Organization.Status.choices)
    reason = serializers.CharField()


class OrganizationUpdateSerializer(serializers.Serializer[Any]):
    """The facts to correct; those left out stay as they are (the status has its own action)."""

    name = serializers.CharField(max_length=200, required=False)
    short_name = serializers.CharField(max_length=60, required=False, allow_blank=True)
    kind = serializers.ChoiceField(choices=m.Organization.Kind.choices, required=False)
    city = serializers.CharField(max_length=100, required=False, allow_blank=True)
    website = serializers.URLField(required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)


class AgreementRenewalInputSerializer(serializers.Serializer[Any]):
    agreement_end = serializers.DateField()
    agreement_file = serializers.FileField(required=False, allow_null=True, default=None)


class ResponsibilitiesInputSerializer(serializers.Serializer[Any]):
    # Plain strings: the service names each value outside the catalogue in its error.
    responsibilities = serializers.ListField(child=serializers.CharField(max_length=40))


class PartnerInputSerializer(ResponsibilitiesInputSerializer):
    program = serializers.PrimaryKeyRelatedField(queryset=m.Program.objects.all())
    organization = serializers.PrimaryKeyRelatedField(queryset=m.Organization.objects.all())
    agreement_start = serializers.DateField()
    agreement_end = serializers.DateField(required=False, allow_null=True, default=None)
    places_offered = serializers.IntegerField(min_value=0, required=False, default=0)
    responsibilities = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, default=list
    )
    agreement_file = serializers.FileField(required=False, allow_null=True, default=None)


class PartnerUpdateSerializer(serializers.Serializer[Any]):
    agreement_start = serializers.DateField(required=False)
    agreement_end = serializers.DateField(required=False, allow_null=True)
    places_offered = serializers.IntegerField(min_value=0, required=False)
    # Plain strings: the service names each value outside the catalogue in its error.
    responsibilities = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False
    )
    agreement_file = serializers.FileField(required=False)


class CounsellorPostingInputSerializer(serializers.Serializer[Any]):
    organization = serializers.PrimaryKeyRelatedField(queryset=m.Organization.objects.all())
    email = serializers.EmailField(
        help_text=_("The e-mail address of the person's account (it must exist).")
    )


class CounsellorPostingCorrectionSerializer(serializers.Serializer[Any]):
    """The posting's first and last day; null leaves that end open. Only the fields sent
    change."""

    valid_from = serializers.DateField(allow_null=True, required=False)
    valid_until = serializers.DateField(allow_null=True, required=False)


# ---- Viewsets ---------------------------------------------------------------------------------


class OrganizationViewSet(ScopedViewSet):
    model = m.Organization
    serializer_class = OrganizationSerializer
    filterset_class = OrganizationFilter
    ordering_fields = ["name", "kind", "status"]

    def get_queryset(self) -> QuerySet[Any]:
        # Organisations are the partner register: visible to every signed-in user.
        return m.Organization.objects.visible_to(self.request.user)


class ProgramPartnerViewSet(ScopedViewSet):
    model = m.ProgramPartner
    serializer_class = ProgramPartnerSerializer
    related = ("organization", "program")
    prefetch = ("responsibilities",)
    filterset_class = ProgramPartnerFilter
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


class OrganizationWrites(OrganizationViewSet, viewsets.GenericViewSet[Any]):
    """Programme administrators register partner subjects; portal administrators rate them."""

    create = creates(partners.create_organization, OrganizationInputSerializer)

    @extend_schema(request=OrganizationUpdateSerializer, responses={200: OrganizationSerializer})
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        organization = self.get_object()
        data = read_scoped_input(request, OrganizationUpdateSerializer)
        organizations.update_organization(user=actor(request), organization=organization, **data)
        return answer(self, organization)

    change_status = step(
        partners.change_organization_status,
        "organization",
        input=OrganizationStatusInputSerializer,
        scoped=MORE_VISIBLE_INPUTS,
        url_path="status",
        url_name="status",
    )


class ProgramPartnerWrites(Removable, ProgramPartnerViewSet):
    """Partners are added by the program's administrators, with their responsibilities."""

    parser_classes = [JSONParser, MultiPartParser, FormParser]

    create = creates(partners.add_partner, PartnerInputSerializer)

    def _set_responsibilities(self, request: Request) -> Response:
        partner = self.get_object()
        chosen = read_scoped_input(request, ResponsibilitiesInputSerializer)
        partners.update_partner_responsibilities(
            user=actor(request), partner=partner, responsibilities=chosen["responsibilities"]
        )
        return answer(self, partner)

    @extend_schema(request=PartnerUpdateSerializer, responses={200: ProgramPartnerSerializer})
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        """The agreement (dates, places, a new signed file) and the responsibilities."""
        partner = self.get_object()
        data = read_partial(request, PartnerUpdateSerializer)
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
        request=ResponsibilitiesInputSerializer, responses={200: ProgramPartnerSerializer}
    )
    @action(detail=True, methods=["post"], url_path="responsibilities", url_name="responsibilities")
    def set_responsibilities(self, request: Request, pk: str | None = None) -> Response:
        return self._set_responsibilities(request)

    renew = step(
        organizations.renew_agreement,
        "partner",
        input=AgreementRenewalInputSerializer,
        scoped=MORE_VISIBLE_INPUTS,
        doc="Extend the agreement to a new end date, optionally with the newly signed file.",
    )


class CounsellorPostingWrites(ScopedViewSet, viewsets.GenericViewSet[Any]):
    """Counsellors posted at an organisation (its mental-health service): read by those who see
    the organisation's people, as on its page; posted, corrected and ended by portal
    administrators (`can_post_counsellors`). A posting is ended, never deleted."""

    serializer_class = CounsellorPostingSerializer
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

    create = creates(
        counsellors.post_counsellor,
        CounsellorPostingInputSerializer,
        scoped=VISIBLE_INPUTS,
        doc="Post the person with an account under `email` at the organisation, from today.",
    )

    @extend_schema(
        request=CounsellorPostingCorrectionSerializer,
        responses={200: CounsellorPostingSerializer},
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        """Correct the posting's first or last day (null: open)."""
        membership = self._managed(request)
        data = read_partial(request, CounsellorPostingCorrectionSerializer)
        dates = merged(membership, data, ("valid_from", "valid_until"))
        counsellors.correct_counsellor_posting(user=actor(request), membership=membership, **dates)
        return answer(self, membership)

    end = step(
        counsellors.end_counsellor_posting,
        "membership",
        guard="_managed",
        doc="End the posting today (it is kept, with its history).",
    )


router = SimpleRouter()
router.register("organizations", OrganizationWrites, basename="organization")
router.register("program-partners", ProgramPartnerWrites, basename="program-partner")
router.register("counsellor-postings", CounsellorPostingWrites, basename="counsellor-posting")

urlpatterns = list(router.urls)
