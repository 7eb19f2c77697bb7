"""The API root lists every endpoint group of the portal, and each link opens for a portal
administrator."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import User
from tests.clients import api_for

pytestmark = pytest.mark.django_db

#: The main endpoints of each app, as the root names them.
MAIN = {
    "core": {"jobs", "notifications", "me"},
    "programs": {
        "organizations",
        "programs",
        "program-partners",
        "courses",
        "tutors",
        "students",
        "training-plans",
        "milestones",
        "placements",
        "projects",
        "progress-logs",
        "case-logs",
        "budget-lines",
        "expenditures",
        "counsellor-postings",
    },
    "audits": {"audit-rules", "audit-runs", "findings"},
    "internal supervision": {"review-meetings", "supervision-ratings/aggregates"},
    "inspections": {
        "inspections",
        "inspection-assignments",
        "draws",
        "public/inspections",
        "public/audit-summaries",
    },
    "evaluation": {"indicators", "evaluation-rounds", "evaluations", "evaluation-requests"},
    "ledger": {"reward-entries"},
    "scores": {"partner-scores"},
    "reports": {"reports"},
}


def test_the_root_lists_every_apps_endpoints(admin: User) -> None:
    response = api_for(admin).get(reverse("api:api-root"))
    assert response.status_code == 200
    for app, names in MAIN.items():
        assert names <= set(response.data), (app, names - set(response.data))


def test_every_link_of_the_root_opens_for_a_portal_administrator(admin: User) -> None:
    api = api_for(admin)
    links = api.get(reverse("api:api-root")).data
    assert len(links) >= sum(len(names) for names in MAIN.values())
    for name, url in links.items():
        assert url.startswith("http://testserver/api/v1/"), (name, url)
        assert api.get(url).status_code == 200, name


def test_the_root_is_for_signed_in_callers() -> None:
    assert api_for(None).get(reverse("api:api-root")).status_code == 401
