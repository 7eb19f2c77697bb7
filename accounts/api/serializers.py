from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ..models import RoleMembership, User


class TokenRequestSerializer(serializers.Serializer[Any]):
    email = serializers.EmailField()
    password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"})


class TokenSerializer(serializers.Serializer[Any]):
    token = serializers.CharField(read_only=True)


class MembershipSerializer(serializers.ModelSerializer[RoleMembership]):
    role_label = serializers.CharField(source="get_role_display", read_only=True)
    scope_type = serializers.SerializerMethodField()
    scope = serializers.SerializerMethodField()

    class Meta:
        model = RoleMembership
        fields = [
            "role",
            "role_label",
            "scope_type",
            "scope_id",
            "scope",
            "valid_from",
            "valid_until",
        ]

    def get_scope_type(self, membership: RoleMembership) -> str | None:
        ct = membership.scope_type
        return f"{ct.app_label}.{ct.model}" if ct else None

    def get_scope(self, membership: RoleMembership) -> str | None:
        return str(membership.scope) if membership.scope_id else None


class MeSerializer(serializers.ModelSerializer[User]):
    roles = MembershipSerializer(source="role_memberships", many=True, read_only=True)
    is_portal_admin = serializers.BooleanField(read_only=True)

    class Meta:
        model = User
        fields = ["id", "email", "full_name", "preferred_language", "is_portal_admin", "roles"]
        read_only_fields = ["id", "email", "is_portal_admin", "roles"]
        extra_kwargs = {"full_name": {"allow_blank": False}}


class UserImportSerializer(serializers.Serializer[Any]):
    file = serializers.FileField(help_text=_("An .xlsx or .csv file (UTF-8 or GB18030)."))
    send_invitations = serializers.BooleanField(default=False)
