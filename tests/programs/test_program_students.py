"""The students table of a program's page: each role sees the students it saw before the table
was paged, fifty at a time, searched by name, e-mail address or student number, cohort and
status, in a number of queries that does not grow with the program."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from programs import models as m
from programs.design.views.programs import STUDENTS_PER_PAGE
from tests.cast import API_ROLES, Cast, matrix
from tests.clients import client_for
from tests.queries import assert_flat_queries

from .factories import AssignmentFactory, StudentFactory, TutorFactory

pytestmark = pytest.mark.django_db

INSPECTOR_SEES = 404


def _url(cast: Cast, **query: Any) -> str:
    url = reverse("programs:program-detail", args=[cast.program.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _listed(client: Any, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200
    return [s.student_number for s in response.context["students"]]


@pytest.fixture
def partnered(cast: Cast) -> Cast:
    """The cast with the hospital a partner of the program (so its coordinator, Cora, sees the
    program's page and the student placed there), and a student of another program."""
    m.ProgramPartner.objects.create(
        program=cast.program, organization=cast.hospital, agreement_start=dt.date(2025, 1, 1)
    )
    StudentFactory(student_number="X0000001")
    return cast


@pytest.mark.parametrize(
    ("who", "seen"),
    matrix(
        API_ROLES,
        admin={"student", "other_student"},
        program_admin={"student", "other_student"},
        coordinator={"student"},
        other_coordinator=404,
        tutor={"student"},
        practice_tutor={"student"},
        other_tutor={"other_student"},
        student={"student"},
        other_student={"other_student"},
        outsider=404,
        inspector=INSPECTOR_SEES,
        anonymous=302,
    ),
)
def test_each_role_sees_the_students_of_the_program_it_saw_before(
    partnered: Cast, everyone: dict[str, Any], who: str, seen: Any
) -> None:
    cast = partnered
    user = everyone[who]
    client = client_for(user)
    if isinstance(seen, int):
        assert client.get(_url(cast)).status_code == seen
        return
    expected = sorted(getattr(cast, name).student_number for name in seen)
    assert _listed(client, _url(cast)) == expected
    # The query the page ran before it was paged: every visible student of the program.
    before = m.Student.objects.visible_to(user).filter(program=cast.program)
    assert expected == sorted(before.values_list("student_number", flat=True))


def test_the_table_shows_fifty_students_a_page_in_student_number_order(cast: Cast) -> None:
    StudentFactory.create_batch(STUDENTS_PER_PAGE + 5, program=cast.program)
    client = client_for(cast.program_admin)
    first = _listed(client, _url(cast))
    response = client.get(_url(cast, page=2))
    second = [s.student_number for s in response.context["students"]]
    everyone = sorted(cast.program.students.values_list("student_number", flat=True))
    assert len(first) == STUDENTS_PER_PAGE
    assert first + second == everyone
    assert 'href="?page=2#students"' in client.get(_url(cast)).content.decode()


def test_petra_searches_her_students_by_name_number_cohort_and_status(cast: Cast) -> None:
    m.Student.objects.filter(pk=cast.other_student.pk).update(cohort=2024, status="suspended")
    client = client_for(cast.program_admin)
    stan, olga = cast.student.student_number, cast.other_student.student_number
    assert _listed(client, _url(cast, q="stan")) == [stan]
    assert _listed(client, _url(cast, q="OLGA@example")) == [olga]
    assert _listed(client, _url(cast, q=olga[-4:])) == [olga]
    assert _listed(client, _url(cast, cohort=2024)) == [olga]
    assert _listed(client, _url(cast, status="suspended")) == [olga]
    assert _listed(client, _url(cast, status="active", cohort=2024)) == []
    page = client.get(_url(cast, q="nobody")).content.decode()
    assert "No students match." in page


def test_the_search_keeps_within_what_the_tutor_may_see(cast: Cast) -> None:
    client = client_for(cast.tutor.user)
    assert _listed(client, _url(cast, q="olga")) == []
    assert _listed(client, _url(cast, q="stan")) == [cast.student.student_number]


def test_a_filter_that_is_not_valid_is_ignored(cast: Cast) -> None:
    client = client_for(cast.program_admin)
    assert len(_listed(client, _url(cast, cohort="soon", status="lost"))) == 2


def test_page_links_keep_the_search(cast: Cast) -> None:
    StudentFactory.create_batch(STUDENTS_PER_PAGE + 1, program=cast.program, cohort=2026)
    page = client_for(cast.program_admin).get(_url(cast, cohort=2026)).content.decode()
    assert 'href="?cohort=2026&amp;page=2#students"' in page


def _more_students(cast: Cast, count: int) -> None:
    practice = TutorFactory(kind=m.TutorProfile.Kind.PRACTICE)
    for student in StudentFactory.create_batch(count, program=cast.program):
        AssignmentFactory(student=student, tutor=cast.tutor)
        AssignmentFactory(student=student, tutor=practice)


@pytest.mark.parametrize("who", ["admin", "program_admin", "tutor"])
def test_program_page_query_count_is_flat_past_a_page_of_students(
    cast: Cast, everyone: dict[str, Any], who: str
) -> None:
    client = client_for(everyone[who])
    assert_flat_queries(
        lambda: client.get(_url(cast)),
        lambda: _more_students(cast, STUDENTS_PER_PAGE + 10),
        max_queries=22,
    )
