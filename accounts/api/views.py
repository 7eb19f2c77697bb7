from __future__ import annotations

from typing import Any, cast

from django.contrib.auth import authenticate
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from training_portal.core.api.serializers import JobSerializer
from training_portal.core.permissions import Predicate
from training_portal.core.tables import ImportFileError

from .. import permissions, services
from ..models import RoleMembership, User
from .serializers import MeSerializer, TokenRequestSerializer, TokenSerializer, UserImportSerializer


class TokenView(APIView):
    """Exchange e-mail and password for an API token; DELETE revokes the caller's token."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    @extend_schema(request=TokenRequestSerializer, responses={200: TokenSerializer})
    def post(self, request: Request) -> Response:
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(
            request._request,
            username=data.validated_data["email"].strip().lower(),
            password=data.validated_data["password"],
        )
        if user is None or not user.is_active:
            raise ValidationError(
                {"non_field_errors": [_("The e-mail address or password is wrong.")]}
            )
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


class TokenRevokeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request) -> Response:
        Token.objects.filter(user=cast(User, request.user)).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(generics.RetrieveUpdateAPIView[User]):
    """The signed-in user: profile and current role memberships."""

    serializer_class = MeSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get_object(self) -> User:
        current = Prefetch(
            "role_memberships",
            queryset=RoleMembership.objects.current()
            .select_related("scope_type")
            .prefetch_related("scope"),
        )
        return User.objects.prefetch_related(current).get(pk=cast(User, self.request.user).pk)


class UserImportView(APIView):
    """Start a bulk import of user accounts; poll the returned job for progress."""

    parser_classes = [MultiPartParser, FormParser]
    permission_classes = [Predicate.of(permissions.can_import_users)]

    @extend_schema(request=UserImportSerializer, responses={202: JobSerializer})
    def post(self, request: Request) -> Response:
        data = UserImportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            job = services.start_user_import(
                owner=cast(User, request.user),
                upload=data.validated_data["file"],
                send_invitations=data.validated_data["send_invitations"],
            )
        except ImportFileError as exc:
            raise ValidationError({"file": [str(exc)]}) from exc
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)
