"""The lists that grow to millions of rows page by cursor: every row once, in order, forwards
and back, even when many share a date; no count; a page number or a forged cursor is refused.
Their `visible_to`, spelt anew for the planner, selects the same rows as the plain rule."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from django.db.models import Q
from django.urls import reverse
from rest_framework.test import APIClient

from programs import models as m
from programs.scopes import (
    administered_program_ids,
    coordinated_organization_ids,
    student_ids_in_care_of,
    tutored_student_ids,
)
from tests.cast import CAST_ROLES, Cast, who
from tests.clients import api_for
from tests.programs.factories import ProgressLogFactory

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 10)


def walk(api: APIClient, url: str, **params: Any) -> list[list[int]]:
    """The ids of each page, following `next` from the first page to the last."""
    pages, response = [], api.get(url, params)
    while True:
        assert response.status_code == 200, response.data
        assert "count" not in response.data
        pages.append([row["id"] for row in response.data["results"]])
        if response.data["next"] is None:
            return pages
        response = api.get(response.data["next"])


def flat(pages: list[list[int]]) -> list[int]:
    return list(itertools.chain.from_iterable(pages))


def walk_back(api: APIClient, url: str, **params: Any) -> list[list[int]]:
    """From the last page, the ids of each page following `previous` back to the first."""
    response = api.get(url, params)
    while response.data["next"] is not None:
        response = api.get(response.data["next"])
    pages = [[row["id"] for row in response.data["results"]]]
    while response.data["previous"] is not None:
        response = api.get(response.data["previous"])
        pages.append([row["id"] for row in response.data["results"]])
    return pages[::-1]


@pytest.fixture
def logs(cast: Cast) -> list[Any]:
    """Tom's twelve logs of Stan: seven on one day (more than a page), five on others."""
    days = [DAY] * 7 + [DAY - dt.timedelta(days=n) for n in (3, 1, 9, 2, 5)]
    return [
        ProgressLogFactory(
            student=cast.student, author=cast.tutor.user, date=day, minutes=30 + n % 3
        )
        for n, day in enumerate(days)
    ]


def test_petra_pages_through_the_logs_newest_first_each_once(cast: Cast, logs: list[Any]) -> None:
    newest_first = [
        log.pk for log in sorted(logs, key=lambda log: (log.date, log.pk), reverse=True)
    ]
    api, url = api_for(cast.program_admin), reverse("api:progress-log-list")
    pages = walk(api, url, page_size=3)
    assert [len(page) for page in pages] == [3, 3, 3, 3]
    assert flat(pages) == newest_first
    assert walk_back(api, url, page_size=3) == pages


def test_a_clients_ordering_pages_by_cursor_too(cast: Cast, logs: list[Any]) -> None:
    by_minutes = [log.pk for log in sorted(logs, key=lambda log: (log.minutes, log.pk))]
    pages = walk(
        api_for(cast.tutor.user), reverse("api:progress-log-list"), ordering="minutes", page_size=5
    )
    assert flat(pages) == by_minutes


def test_milestones_page_by_a_date_that_may_be_empty(cast: Cast) -> None:
    for n in range(5):
        m.Milestone.objects.create(
            student=cast.student,
            kind="other",
            title=f"M{n}",
            due_date=DAY,
            completed_on=DAY if n % 2 else None,
        )
    api, url = api_for(cast.student.user), reverse("api:milestone-list")
    expected = list(m.Milestone.objects.order_by("completed_on", "id").values_list("pk", flat=True))
    assert flat(walk(api, url, ordering="completed_on", page_size=2)) == expected
    assert flat(walk_back(api, url, ordering="completed_on", page_size=2)) == expected
    newest = list(m.Milestone.objects.order_by("-completed_on", "-id").values_list("pk", flat=True))
    assert flat(walk(api, url, ordering="-completed_on", page_size=2)) == newest


@pytest.mark.parametrize("name", ["progress-log", "case-log", "milestone", "reward-entry"])
def test_a_page_number_is_refused_with_a_400_that_says_to_follow_the_links(
    cast: Cast, name: str
) -> None:
    response = api_for(cast.program_admin).get(reverse(f"api:{name}-list"), {"page": 2})
    assert response.status_code == 400
    assert "next" in str(response.data["page"][0])


@pytest.mark.parametrize("cursor", ["nonsense", "eyJyIjowLCJwIjpbIngiLCJ5Il19", "eyJyIjowfQ=="])
def test_a_forged_cursor_is_a_404(cast: Cast, logs: list[Any], cursor: str) -> None:
    response = api_for(cast.program_admin).get(reverse("api:progress-log-list"), {"cursor": cursor})
    assert response.status_code == 404


def test_the_schema_says_these_lists_have_no_count(admin: Any) -> None:
    schema = api_for(admin).get(reverse("api-schema"), {"format": "json"}).json()
    page = schema["components"]["schemas"]["PaginatedProgressLogList"]
    assert "count" not in page["properties"] and "no total count" in page["description"]


# ---- The scope filters, spelt for the planner, select what the plain rules select --------


def plain_rule(model: Any, user: Any) -> set[int]:
    """The rules as they read before they were spelt for the planner."""
    if model is m.ProgressLog:
        rule = (
            Q(student__program__in=administered_program_ids(user))
            | Q(student__in=tutored_student_ids(user))
            | Q(author=user)
            | Q(student__user=user, shared=True)
        )
    elif model is m.CaseLog:
        rule = Q(student__in=student_ids_in_care_of(user)) | Q(
            placement__host__in=coordinated_organization_ids(user)
        )
    else:
        rule = Q(student__in=student_ids_in_care_of(user))
    return set(model.objects.filter(rule).values_list("pk", flat=True))


@pytest.mark.parametrize("name", [n for n in CAST_ROLES if n not in ("admin", "other_coordinator")])
def test_each_role_sees_the_same_logs_cases_and_milestones_as_the_plain_rule(
    cast: Cast, outsider: Any, name: str
) -> None:
    for student, tutor in ((cast.student, cast.tutor), (cast.other_student, cast.other_tutor)):
        for shared in (True, False):
            ProgressLogFactory(student=student, author=tutor.user, shared=shared)
        m.Milestone.objects.create(student=student, kind="other", title="M", due_date=DAY)
        for placement in (cast.placement if student == cast.student else None, None):
            m.CaseLog.objects.create(
                student=student,
                date=DAY,
                modality="ct",
                procedure="Chest CT",
                count=1,
                role="observed",
                placement=placement,
                recorded_by=student.user,
            )
    user = who(cast, name, outsider)
    for model in (m.ProgressLog, m.CaseLog, m.Milestone):
        seen = set(model.objects.visible_to(user).values_list("pk", flat=True))
        assert seen == plain_rule(model, user), (name, model)
