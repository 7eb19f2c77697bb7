"""Every page of this issue for each member of the cast, with query counts kept flat."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from tests.clients import client_for
from tests.factories import JobFactory, UserFactory
from tests.queries import assert_flat_queries

pytestmark = pytest.mark.django_db

PAGES_FOR_EVERYONE = [
    "core:home",
    "core:job-list",
    "core:notification-list",
    "accounts:profile",
    "accounts:password-change",
]
ADMIN_PAGES = ["accounts:user-list", "accounts:user-import", "accounts:user-import-template"]


@pytest.mark.parametrize("name", PAGES_FOR_EVERYONE + ADMIN_PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(name: str) -> None:
    response = client_for(None).get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("cast", ["admin", "counsellor", "outsider"])
@pytest.mark.parametrize("name", PAGES_FOR_EVERYONE)
def test_every_signed_in_role_reaches_its_own_pages(
    name: str, cast: str, request: pytest.FixtureRequest
) -> None:
    assert client_for(request.getfixturevalue(cast)).get(reverse(name)).status_code == 200


@pytest.mark.parametrize(
    ("cast", "status"), [("admin", 200), ("counsellor", 403), ("outsider", 403)]
)
@pytest.mark.parametrize("name", ADMIN_PAGES)
def test_only_portal_administrators_manage_users(
    name: str, cast: str, status: int, request: pytest.FixtureRequest
) -> None:
    response = client_for(request.getfixturevalue(cast)).get(reverse(name))
    assert response.status_code == status
    if status == 403:
        assert "You are not allowed to do this" in response.content.decode()


def test_navigation_shows_each_role_what_it_may_do(admin: User, outsider: User) -> None:
    admin_page = client_for(admin).get(reverse("core:home")).content.decode()
    outsider_page = client_for(outsider).get(reverse("core:home")).content.decode()
    assert reverse("accounts:user-import") in admin_page and reverse("admin:index") in admin_page
    assert reverse("accounts:user-import") not in outsider_page
    assert reverse("admin:index") not in outsider_page


def test_the_admin_home_shows_users_jobs_and_health(admin: User) -> None:
    JobFactory(owner=admin, input_name="people.xlsx")
    page = client_for(admin).get(reverse("core:home")).content.decode()
    for text in (
        "Accounts",
        "Recent jobs",
        "System health",
        "Database",
        "Task broker",
        "User import",
    ):
        assert text in page


def test_user_search_finds_by_name_or_email(admin: User) -> None:
    UserFactory(email="wang.fang@example.cn", full_name="王芳")
    client = client_for(admin)
    assert (
        "wang.fang@example.cn"
        in client.get(reverse("accounts:user-list"), {"q": "王芳"}).content.decode()
    )
    assert (
        "wang.fang"
        not in client.get(reverse("accounts:user-list"), {"q": "nobody"}).content.decode()
    )


def test_unknown_pages_get_the_friendly_404(outsider: User) -> None:
    response = client_for(outsider).get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_server_errors_get_a_friendly_page_without_details(client: Client) -> None:
    from training_portal.core.views import server_error

    response = server_error(None)  # type: ignore[arg-type]
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


def test_pages_carry_a_content_security_policy_without_inline_scripts(outsider: User) -> None:
    response = client_for(outsider).get(reverse("core:home"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    html = response.content.decode()
    assert "<script>" not in html and "onclick" not in html and "cdn" not in html.lower()


# Query counts stay flat as data grows.
def _grow_jobs(owner: User, n: int = 15) -> None:
    for _ in range(n):
        JobFactory(owner=owner)


def test_admin_home_queries_stay_flat(admin: User) -> None:
    client = client_for(admin)

    def grow() -> None:
        _grow_jobs(admin)
        UserFactory.create_batch(10)

    # the inspections items: one aggregate, and the inspectors' unanswered comments; the
    # evaluation items: evaluations owed, and probation recommendations to decide (a count each);
    # the students' items (status requests, follow-ups, plans, overdue milestones): one query
    assert_flat_queries(lambda: client.get(reverse("core:home")), grow, max_queries=15)


def test_job_list_queries_stay_flat(outsider: User) -> None:
    JobFactory(owner=outsider)
    client = client_for(outsider)
    assert_flat_queries(
        lambda: client.get(reverse("core:job-list")),
        lambda: _grow_jobs(outsider),
        max_queries=9,  # with the inspections menu: is the user an inspector
    )


def test_user_list_queries_stay_flat(admin: User) -> None:
    client = client_for(admin)
    assert_flat_queries(
        lambda: client.get(reverse("accounts:user-list")),
        lambda: UserFactory.create_batch(20),
        max_queries=9,
    )


def test_api_job_list_queries_stay_flat(outsider: User) -> None:
    from rest_framework.test import APIClient

    JobFactory(owner=outsider)
    api = APIClient()
    api.force_authenticate(outsider)
    assert_flat_queries(
        lambda: api.get(reverse("api:job-list")), lambda: _grow_jobs(outsider), max_queries=4
    )


def test_api_me_queries_are_bounded(admin: User) -> None:
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(admin)
    assert_flat_queries(lambda: api.get(reverse("api:me")), lambda: None, max_queries=4)
