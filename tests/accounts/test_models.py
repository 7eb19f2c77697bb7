from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from accounts import roles
from accounts.models import RoleMembership, User
from accounts.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_email_is_unique_without_regard_to_case() -> None:
    User.objects.create_user("Dana@Example.org", "a-long-password-1", full_name="Dana")
    with pytest.raises(IntegrityError):
        User.objects.create(email="DANA@example.org", full_name="Dana again")


def test_create_user_stores_the_email_in_lower_case_and_signs_in_with_any_case() -> None:
    user = User.objects.create_user("Eve@Example.ORG", "a-long-password-1", full_name="Eve")
    assert user.email == "eve@example.org"
    assert User.objects.get_by_natural_key("EVE@example.org") == user


def test_superuser_is_a_portal_administrator() -> None:
    user = User.objects.create_superuser("root@example.org", "a-long-password-1", full_name="Root")
    assert user.is_portal_admin
    assert user.has_role(Role.PORTAL_ADMIN)


def test_a_portal_wide_role_cannot_take_a_scope() -> None:
    user = UserFactory()
    ct = ContentType.objects.get_for_model(User)
    with pytest.raises(IntegrityError):
        RoleMembership.objects.create(user=user, role=Role.PORTAL_ADMIN, scope_type=ct, scope_id=1)


def test_a_scope_needs_both_type_and_id() -> None:
    user = UserFactory()
    with pytest.raises(IntegrityError):
        RoleMembership.objects.create(user=user, role=Role.STUDENT, scope_id=1)


def test_a_user_holds_an_unscoped_role_once() -> None:
    user = UserFactory()
    RoleMembership.objects.create(user=user, role=Role.COUNSELLOR)
    with pytest.raises(IntegrityError):
        RoleMembership.objects.create(user=user, role=Role.COUNSELLOR)


def test_the_end_of_a_membership_cannot_precede_its_start() -> None:
    user = UserFactory()
    with pytest.raises(IntegrityError):
        RoleMembership.objects.create(
            user=user,
            role=Role.COUNSELLOR,
            valid_from=dt.date(2026, 5, 1),
            valid_until=dt.date(2026, 4, 1),
        )


def test_scoped_role_requires_a_scope_of_a_registered_model() -> None:
    user = UserFactory()
    membership = RoleMembership(user=user, role=Role.PROGRAM_ADMIN)
    with pytest.raises(ValidationError) as missing:
        membership.full_clean()
    assert "scope_type" in missing.value.message_dict
    membership.scope_type = ContentType.objects.get_for_model(User)
    membership.scope_id = user.pk
    with pytest.raises(ValidationError):
        membership.full_clean()


def test_a_registered_scope_model_plugs_in_without_a_migration(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The programs issue registers Program/Organization the same way from AppConfig.ready().
    monkeypatch.setattr(roles, "_scope_models", {})
    roles.register_scope(Role.PROGRAM_ADMIN, "accounts.User")
    holder, scope = UserFactory(), UserFactory()
    membership = RoleMembership(
        user=holder,
        role=Role.PROGRAM_ADMIN,
        scope_type=ContentType.objects.get_for_model(User),
        scope_id=scope.pk,
    )
    membership.full_clean()
    membership.save()
    holder = User.objects.get(pk=holder.pk)
    assert holder.has_role(Role.PROGRAM_ADMIN, scope)
    assert not holder.has_role(Role.PROGRAM_ADMIN, holder)
    assert list(RoleMembership.objects.of_role(Role.PROGRAM_ADMIN).scoped_by(User).scope_ids()) == [
        scope.pk
    ]


def test_portal_wide_roles_refuse_registration() -> None:
    with pytest.raises(ValueError):
        roles.register_scope(Role.PORTAL_ADMIN, "accounts.User")


def test_only_memberships_in_their_period_count() -> None:
    user = UserFactory()
    RoleMembership.objects.create(
        user=user, role=Role.COUNSELLOR, valid_until=dt.date.today() - dt.timedelta(days=1)
    )
    assert not User.objects.get(pk=user.pk).has_role(Role.COUNSELLOR)
    RoleMembership.objects.filter(user=user).update(valid_until=None, valid_from=dt.date.today())
    assert User.objects.get(pk=user.pk).has_role(Role.COUNSELLOR)


def test_an_inactive_superuser_is_not_a_portal_administrator() -> None:
    user = User.objects.create_superuser("gone@example.org", "a-long-password-1", full_name="Gone")
    user.is_active = False
    assert not user.is_portal_admin


def test_users_are_visible_to_admins_and_to_themselves_only(
    admin: User, outsider: User, other_user: User
) -> None:
    assert set(User.objects.visible_to(admin)) >= {admin, outsider, other_user}
    assert list(User.objects.visible_to(outsider)) == [outsider]
