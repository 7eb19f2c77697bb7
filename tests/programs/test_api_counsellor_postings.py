"""Counsellor postings through the API: listed to those who see the organisation's people (as
on its page), posted, corrected and ended by portal administrators; 404 hidden, 403
forbidden, 400 with field errors; the list stays flat as postings grow."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import RoleMembership, User
from programs import models as m
from programs.partners.services import counsellors
from tests.cast import API_ROLES as ROLES
from tests.cast import Cast
from tests.clients import api_for
from tests.factories import UserFactory
from tests.queries import assert_flat_queries
from training_portal.core.history import events_of

from .factories import OrganizationFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
#: Who sees the hospital's people: portal administrators, its coordinators, and the
#: administrators of a program it takes part in.
SEES = {"admin", "program_admin", "coordinator"}


@pytest.fixture
def mei(db: None) -> User:
    return UserFactory(email="mei@example.org", full_name="Mei Lin")


@pytest.fixture
def posting(cast: Cast, admin: User, mei: User) -> RoleMembership:
    m.ProgramPartner.objects.create(
        program=cast.program,
        organization=cast.hospital,
        agreement_start=TODAY - dt.timedelta(days=300),
        agreement_end=TODAY + dt.timedelta(days=300),
    )
    return counsellors.post_counsellor(user=admin, organization=cast.hospital, email=mei.email)


def listed(user: Any) -> Any:
    return api_for(user).get(reverse("api:counsellor-posting-list"))


def expected(name: str, allowed: set[str], ok: int, seen: int = 403) -> int:
    """The status for `name`: `ok` if allowed, `seen` if they see the posting, else 404."""
    if name == "anonymous":
        return 401
    return ok if name in allowed else seen if name in SEES else 404


@pytest.mark.parametrize("name", ROLES)
def test_each_role_lists_the_postings_it_may_see(
    name: str, everyone: dict[str, Any], posting: RoleMembership
) -> None:
    response = listed(everyone[name])
    if name == "anonymous":
        assert response.status_code == 401
        return
    assert response.status_code == 200
    rows = response.data["results"]
    assert [row["id"] for row in rows] == ([posting.pk] if name in SEES else [])
    url = reverse("api:counsellor-posting-detail", args=[posting.pk])
    detail = api_for(everyone[name]).get(url)
    assert detail.status_code == (200 if name in SEES else 404)


def test_a_posting_reads_with_its_organisation_person_and_dates(
    cast: Cast, admin: User, posting: RoleMembership
) -> None:
    (row,) = listed(admin).data["results"]
    assert row == {
        "id": posting.pk,
        "organization": cast.hospital.pk,
        "organization_name": "First Hospital",
        "user": posting.user_id,
        "email": "mei@example.org",
        "name": "Mei Lin",
        "valid_from": None,
        "valid_until": None,
        "is_current": True,
    }


@pytest.mark.parametrize("name", ROLES)
def test_only_a_portal_administrator_posts_a_counsellor(
    name: str, cast: Cast, everyone: dict[str, Any], mei: User
) -> None:
    response = api_for(everyone[name]).post(
        reverse("api:counsellor-posting-list"),
        {"organization": cast.hospital.pk, "email": "mei@example.org"},
        format="json",
    )
    want = {"admin": 201, "anonymous": 401}.get(name, 403)
    assert response.status_code == want
    assert counsellors.postings_at(cast.hospital).exists() == (want == 201)
    if want == 201:
        assert (response.data["email"], response.data["is_current"]) == ("mei@example.org", True)


@pytest.mark.parametrize("name", ROLES)
def test_only_a_portal_administrator_corrects_a_posting(
    name: str, everyone: dict[str, Any], posting: RoleMembership
) -> None:
    start = TODAY - dt.timedelta(days=40)
    response = api_for(everyone[name]).patch(
        reverse("api:counsellor-posting-detail", args=[posting.pk]),
        {"valid_from": start.isoformat()},
        format="json",
    )
    assert response.status_code == expected(name, {"admin"}, 200)
    posting.refresh_from_db()
    assert posting.valid_from == (start if name == "admin" else None)


@pytest.mark.parametrize("name", ROLES)
def test_only_a_portal_administrator_ends_a_posting(
    name: str, everyone: dict[str, Any], posting: RoleMembership
) -> None:
    response = api_for(everyone[name]).post(
        reverse("api:counsellor-posting-end", args=[posting.pk])
    )
    assert response.status_code == expected(name, {"admin"}, 200)
    posting.refresh_from_db()
    assert posting.valid_until == (TODAY if name == "admin" else None)
    if name == "admin":
        assert response.data["is_current"] is True  # today is its last day


def test_posting_bad_input_gets_field_errors(cast: Cast, admin: User, mei: User) -> None:
    url = reverse("api:counsellor-posting-list")
    api = api_for(admin)
    response = api.post(url, {"email": "not an address"}, format="json")
    assert response.status_code == 400
    assert set(response.data) == {"organization", "email"}
    response = api.post(
        url, {"organization": cast.hospital.pk, "email": "nobody@example.org"}, format="json"
    )
    assert response.status_code == 400
    assert "needs an account" in str(response.data["email"][0])
    api.post(url, {"organization": cast.hospital.pk, "email": mei.email}, format="json")
    response = api.post(url, {"organization": cast.hospital.pk, "email": mei.email}, format="json")
    assert response.status_code == 400
    assert "already posted here" in str(response.data["email"][0])


def test_a_correction_checks_its_dates_and_is_kept_in_the_history(
    admin: User, posting: RoleMembership
) -> None:
    url = reverse("api:counsellor-posting-detail", args=[posting.pk])
    api = api_for(admin)
    yesterday = TODAY - dt.timedelta(days=1)
    bad = {"valid_from": TODAY.isoformat(), "valid_until": yesterday.isoformat()}
    response = api.patch(url, bad, format="json")
    assert response.status_code == 400
    assert list(response.data) == ["valid_until"]
    assert api.patch(url, {"valid_until": "someday"}, format="json").status_code == 400
    ended = (TODAY - dt.timedelta(days=2)).isoformat()
    response = api.patch(url, {"valid_until": ended}, format="json")
    assert response.status_code == 200, response.data
    assert (response.data["valid_from"], response.data["valid_until"]) == (None, ended)
    assert response.data["is_current"] is False
    assert events_of(posting).first().pgh_context["reason"] == "Counsellor's posting corrected."
    # An end made by mistake is undone by opening the last day again.
    response = api.patch(url, {"valid_until": None}, format="json")
    assert (response.status_code, response.data["is_current"]) == (200, True)


def test_an_ended_posting_cannot_end_again(admin: User, posting: RoleMembership) -> None:
    url = reverse("api:counsellor-posting-end", args=[posting.pk])
    assert api_for(admin).post(url).status_code == 200
    response = api_for(admin).post(url)
    assert response.status_code == 400
    assert "already ended" in str(response.data["non_field_errors"][0])


def test_the_list_filters_by_organisation_and_by_what_is_in_force(
    cast: Cast, admin: User, posting: RoleMembership
) -> None:
    other = counsellors.post_counsellor(
        user=admin, organization=cast.other_hospital, email=UserFactory().email
    )
    counsellors.end_counsellor_posting(user=admin, membership=other)
    RoleMembership.objects.filter(pk=other.pk).update(valid_until=TODAY - dt.timedelta(days=1))
    url = reverse("api:counsellor-posting-list")
    api = api_for(admin)

    def ids(**params: Any) -> list[int]:
        return [row["id"] for row in api.get(url, params).data["results"]]

    assert ids(organization=cast.other_hospital.pk) == [other.pk]
    assert ids(current="true") == [posting.pk]
    assert ids(current="false") == [other.pk]


def test_the_list_stays_flat_as_postings_grow(cast: Cast, admin: User) -> None:
    def grow() -> None:
        for _ in range(3):
            organization = OrganizationFactory()
            for _ in range(2):
                counsellors.post_counsellor(
                    user=admin, organization=organization, email=UserFactory().email
                )

    grow()
    for user in (admin, cast.coordinator):
        assert_flat_queries(lambda user=user: listed(user), grow, max_queries=6)
