"""A student's cases to answer through the API (`GET /api/v1/case-logs/to-answer/`): the same
list as the page "Cases to answer" (their own queried or rejected cases, oldest first), for
students only like the page; the student answers or corrects each with `answer`."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from programs import models as m
from tests.cast import API_ROLES, Cast
from tests.clients import api_for, client_for
from tests.queries import assert_flat_queries

from .test_case_review import case_log

pytestmark = pytest.mark.django_db

URL = "api:case-log-to-answer"
#: The page and the endpoint are the students' own.
STUDENTS = {"student", "other_student"}


@pytest.fixture
def cases(cast: Cast) -> dict[str, m.CaseLog]:
    return {
        "queried": case_log(cast, "queried", date=dt.date(2026, 3, 14)),
        "rejected": case_log(cast, "rejected", date=dt.date(2026, 3, 11)),
        "pending": case_log(cast, "pending"),
        "verified": case_log(cast, "verified"),
        "theirs": case_log(cast, "queried", student=cast.other_student, placement=None),
    }


@pytest.mark.parametrize("name", API_ROLES)
def test_each_role_gets_the_list_as_the_page_answers(
    name: str, everyone: dict[str, Any], cases: dict[str, m.CaseLog]
) -> None:
    user = everyone[name]
    response = api_for(user).get(reverse(URL))
    page = client_for(user).get(reverse("programs:my-cases-to-answer"))
    if name == "anonymous":
        assert (response.status_code, page.status_code) == (401, 302)
        return
    want = 200 if name in STUDENTS else 403
    assert (response.status_code, page.status_code) == (want, want)
    if name == "student":
        ids = [row["id"] for row in response.data["results"]]
        assert ids == [cases["rejected"].pk, cases["queried"].pk]
        assert ids == [row.pk for row in page.context["page"]]
        first = response.data["results"][0]
        assert (first["review_state"], first["rejection_reason"]) == (
            "rejected",
            "Not at this placement.",
        )
    if name == "other_student":
        assert [row["id"] for row in response.data["results"]] == [cases["theirs"].pk]


@pytest.mark.parametrize("name", API_ROLES)
def test_only_the_student_answers_their_case(
    name: str, everyone: dict[str, Any], cases: dict[str, m.CaseLog]
) -> None:
    case = cases["queried"]
    response = api_for(everyone[name]).post(
        reverse("api:case-log-answer", args=[case.pk]),
        {"answer": "Low-dose protocol.", "count": 3},
        format="json",
    )
    if name == "anonymous":
        assert response.status_code == 401
        return
    visible = m.CaseLog.objects.visible_to(everyone[name]).filter(pk=case.pk).exists()
    want = 200 if name == "student" else 403 if visible else 404
    assert response.status_code == want
    if name in ("other_student", "outsider"):
        assert want == 404
    case.refresh_from_db()
    assert (case.review_state, case.count) == (("pending", 3) if want == 200 else ("queried", 4))


def test_an_answered_case_leaves_the_list_and_a_correction_is_checked(
    cast: Cast, cases: dict[str, m.CaseLog]
) -> None:
    api = api_for(cast.student.user)
    rejected = reverse("api:case-log-answer", args=[cases["rejected"].pk])
    response = api.post(rejected, {"count": 0, "modality": "xx"}, format="json")
    assert response.status_code == 400
    assert {"modality"} <= set(response.data)
    response = api.post(rejected, {"modality": "mr"}, format="json")
    assert response.status_code == 200, response.data
    assert (response.data["review_state"], response.data["modality"]) == ("pending", "mr")
    listed = api.get(reverse(URL)).data["results"]
    assert [row["id"] for row in listed] == [cases["queried"].pk]
    nothing = reverse("api:case-log-answer", args=[cases["queried"].pk])
    response = api.post(nothing, {}, format="json")
    assert response.status_code == 400 and "answer" in response.data


def test_the_list_stays_flat_as_cases_grow(cast: Cast) -> None:
    api = api_for(cast.student.user)
    case_log(cast, "queried")

    def grow() -> None:
        for state in ("pending", "queried", "rejected", "verified"):
            case_log(cast, state)
        case_log(cast, "rejected", student=cast.other_student, placement=None)

    assert_flat_queries(lambda: api.get(reverse(URL)), grow, max_queries=6)
