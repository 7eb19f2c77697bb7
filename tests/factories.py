from __future__ import annotations

from typing import Any

import factory
from django.conf import settings

from accounts.models import RoleMembership, User
from accounts.roles import Role
from training_portal.core.models import Job

_HASH: list[str] = []


def _demo_password_hash() -> str:
    if not _HASH:
        from django.contrib.auth.hashers import make_password

        _HASH.append(make_password(settings.DEMO_PASSWORD))
    return _HASH[0]


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    full_name = factory.Faker("name")
    preferred_language = "en"

    # Hashed once per test run (Argon2 is slow by design); every account shares it.
    password = factory.LazyFunction(lambda: _demo_password_hash())


class PortalAdminFactory(UserFactory):
    is_staff = True

    @factory.post_generation
    def membership(obj: User, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            RoleMembership.objects.create(user=obj, role=Role.PORTAL_ADMIN)


class JobFactory(factory.django.DjangoModelFactory[Job]):
    class Meta:
        model = Job

    kind = "accounts.user_import"
    owner = factory.SubFactory(UserFactory)
