from __future__ import annotations

from typing import Any

import factory
from django.conf import settings

from accounts.models import RoleMembership, User
from accounts.roles import Role
from training_portal.core.models import Job


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    full_name = factory.Faker("name")
    preferred_language = "en"

    @factory.post_generation
    def password(obj: User, create: bool, extracted: str | None, **kwargs: Any) -> None:
        obj.set_password(extracted or settings.DEMO_PASSWORD)
        if create:
            obj.save(update_fields=["password"])


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
