from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import User
from tests.factories import JobFactory

pytestmark = pytest.mark.django_db
PASSWORD = "demo-pass-2026"


def test_a_token_is_issued_for_email_and_password_and_authenticates(outsider: User) -> None:
    api = APIClient()
    response = api.post(
        reverse("api:auth-token"), {"email": "OSCAR@example.org", "password": PASSWORD}
    )
    assert response.status_code == 200
    token = response.data["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = api.get(reverse("api:me"))
    assert me.status_code == 200
    assert me.data["email"] == outsider.email
    assert me.data["is_portal_admin"] is False
    # The same token comes back on a second sign-in; revoking it ends it.
    assert (
        APIClient()
        .post(reverse("api:auth-token"), {"email": outsider.email, "password": PASSWORD})
        .data["token"]
        == token
    )
    assert api.delete(reverse("api:auth-token-revoke")).status_code == 204
    assert api.get(reverse("api:me")).status_code == 401


def test_a_wrong_password_gets_400_with_a_message(outsider: User) -> None:
    response = APIClient().post(
        reverse("api:auth-token"), {"email": outsider.email, "password": "nope-nope-nope"}
    )
    assert response.status_code == 400
    assert "non_field_errors" in response.data


def test_missing_fields_get_field_errors() -> None:
    response = APIClient().post(reverse("api:auth-token"), {"email": "not-an-email"})
    assert response.status_code == 400
    assert set(response.data) == {"email", "password"}


def test_the_token_endpoint_locks_after_repeated_failures(outsider: User) -> None:
    api = APIClient(REMOTE_ADDR="10.1.1.1")
    for _ in range(5):
        api.post(
            reverse("api:auth-token"), {"email": outsider.email, "password": "wrong-wrong-wrong"}
        )
    response = api.post(reverse("api:auth-token"), {"email": outsider.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.json()["detail"]


def test_me_lists_roles_and_updates_profile(admin: User) -> None:
    api = APIClient()
    api.force_authenticate(admin)
    data = api.get(reverse("api:me")).data
    assert data["is_portal_admin"] is True
    assert [r["role"] for r in data["roles"]] == ["portal_admin"]
    response = api.patch(
        reverse("api:me"), {"preferred_language": "zh-hans", "full_name": "艾丽丝"}
    )
    assert response.status_code == 200
    admin.refresh_from_db()
    assert admin.preferred_language == "zh-hans"
    assert api.patch(reverse("api:me"), {"preferred_language": "xx"}).status_code == 400
    assert api.patch(reverse("api:me"), {"email": "new@example.org"}).data["email"] == admin.email


def test_me_needs_authentication() -> None:
    assert APIClient().get(reverse("api:me")).status_code == 401


def test_lists_are_paginated(outsider: User) -> None:
    for _ in range(3):
        JobFactory(owner=outsider)
    api = APIClient()
    api.force_authenticate(outsider)
    data = api.get(reverse("api:job-list"), {"page_size": 2}).data
    assert data["count"] == 3 and len(data["results"]) == 2 and data["next"]


def test_errors_in_the_api_are_translated(outsider: User) -> None:
    response = APIClient().post(
        reverse("api:auth-token"),
        {"email": outsider.email, "password": "bad-bad-bad"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400
    assert response.data["non_field_errors"][0] != "The e-mail address or password is wrong."


def test_schema_and_docs_are_for_signed_in_users(outsider_client: Client, client: Client) -> None:
    schema = outsider_client.get(
        reverse("api-schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json"
    )
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert {"/api/v1/auth/token/", "/api/v1/me/", "/api/v1/jobs/", "/api/v1/user-imports/"} <= set(
        paths
    )
    docs = outsider_client.get(reverse("api-docs"))
    assert docs.status_code == 200
    assert "cdn" not in docs.content.decode().lower()
    assert client.get(reverse("api-docs")).status_code == 302
    assert client.get(reverse("api-schema")).status_code == 401


def test_the_openapi_schema_validates_without_warnings(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yml"))
    assert "/api/v1/user-imports/" in (tmp_path / "s.yml").read_text()
