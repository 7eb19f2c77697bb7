"""The rule for lists (README, REST API → Who gets what): a list of records anyone signed in
may have answers 200 with what the user may see (empty for an account without a role); a page
or endpoint that exists only for a role answers 403 to others. Exact statuses per role."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from tests.cast import API_ROLES
from tests.clients import api_for, client_for

pytestmark = pytest.mark.django_db

RECORD_PAGES = [
    "programs:program-list",
    "programs:organization-list",
    "programs:placement-list",
    "programs:project-list",
    "programs:budget-line-list",
    "programs:expenditure-list",
]
RECORD_ENDPOINTS = [
    "api:program-list",
    "api:organization-list",
    "api:placement-list",
    "api:project-list",
    "api:case-log-list",
    "api:budget-line-list",
    "api:expenditure-list",
    "api:counsellor-posting-list",
]
#: Pages and endpoints of one role: (URL name, a role they are for).
ROLE_ONLY = [
    ("programs:my-cases-to-answer", "student"),
    ("api:case-log-to-answer", "student"),
    ("programs:cases-to-verify", "practice_tutor"),
    ("programs:placements-to-confirm", "coordinator"),
    ("programs:my-students", "tutor"),
    ("programs:import-organizations", "admin"),
]


def get(user: Any, name: str) -> Any:
    client = api_for(user) if name.startswith("api:") else client_for(user)
    return client.get(reverse(name))


@pytest.mark.parametrize("role", API_ROLES)
@pytest.mark.parametrize("name", RECORD_PAGES)
def test_record_pages_open_to_everyone_signed_in(
    name: str, role: str, everyone: dict[str, Any]
) -> None:
    assert get(everyone[role], name).status_code == (302 if role == "anonymous" else 200)


@pytest.mark.parametrize("role", API_ROLES)
@pytest.mark.parametrize("name", RECORD_ENDPOINTS)
def test_record_endpoints_list_to_everyone_signed_in(
    name: str, role: str, everyone: dict[str, Any]
) -> None:
    response = get(everyone[role], name)
    assert response.status_code == (401 if role == "anonymous" else 200)
    if role == "outsider" and name != "api:organization-list":
        assert response.data["results"] == []


@pytest.mark.parametrize(("name", "role"), ROLE_ONLY)
def test_role_pages_answer_403_to_others(name: str, role: str, everyone: dict[str, Any]) -> None:
    assert get(everyone[role], name).status_code == 200
    for other in ("outsider", "inspector"):
        assert get(everyone[other], name).status_code == 403, other
