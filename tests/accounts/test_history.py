from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import RoleMembership, User
from accounts.roles import Role
from tests.factories import UserFactory
from tests.queries import assert_flat_queries
from training_portal.core.history import history_context

pytestmark = pytest.mark.django_db


def test_profile_changes_are_recorded_with_who_made_them(admin: User, outsider: User) -> None:
    client = Client()
    client.force_login(outsider)
    client.post(reverse("accounts:profile"), {"full_name": "Oscar O.", "preferred_language": "en"})
    admin_client = Client()
    admin_client.force_login(admin)
    page = admin_client.get(reverse("accounts:user-detail", args=[outsider.pk]))
    history = page.context["history"]
    change = next(line for line in history if line.action == "update")
    changes = [(c.name, c.old, c.new) for c in change.changes]
    assert ("full_name", "Oscar Outsider", "Oscar O.") in changes
    assert change.actor_email == outsider.email


@pytest.mark.django_db(transaction=True)
def test_role_grants_and_removals_appear_in_the_account_history(
    admin: User, outsider: User
) -> None:
    membership = RoleMembership.objects.create(
        user=outsider, role=Role.COUNSELLOR, granted_by=admin
    )
    membership.delete()
    client = Client()
    client.force_login(admin)
    history = client.get(reverse("accounts:user-detail", args=[outsider.pk])).context["history"]
    role_lines = [(line.subject, line.action) for line in history if line.subject == "Role"]
    assert role_lines == [("Role", "delete"), ("Role", "insert")]


def test_sign_ins_do_not_clutter_the_history(outsider: User) -> None:
    from accounts.models import UserEvent  # type: ignore[attr-defined]

    before = UserEvent.objects.filter(pgh_obj=outsider).count()
    Client().post(
        reverse("accounts:login"), {"username": outsider.email, "password": "demo-pass-2026"}
    )
    assert User.objects.get(pk=outsider.pk).last_login is not None
    assert UserEvent.objects.filter(pgh_obj=outsider).count() == before


def test_only_portal_administrators_see_an_account_page(
    admin: User, outsider: User, other_user: User
) -> None:
    for user, status in [(admin, 200), (outsider, 403), (other_user, 403)]:
        client = Client()
        client.force_login(user)
        assert client.get(reverse("accounts:user-detail", args=[outsider.pk])).status_code == status
    client = Client()
    client.force_login(admin)
    assert client.get(reverse("accounts:user-detail", args=[999999])).status_code == 404


def test_the_account_page_queries_stay_flat_as_history_grows(admin: User, outsider: User) -> None:
    client = Client()
    client.force_login(admin)

    def grow() -> None:
        for n in range(5):
            with history_context(user=UserFactory().pk):
                outsider.full_name = f"Name {n}"
                outsider.save()
                RoleMembership.objects.create(user=outsider, role=Role.COUNSELLOR).delete()

    with history_context(user=admin.pk):
        outsider.full_name = "Renamed"
        outsider.save()
    assert_flat_queries(
        lambda: client.get(reverse("accounts:user-detail", args=[outsider.pk])),
        grow,
        max_queries=12,
    )
