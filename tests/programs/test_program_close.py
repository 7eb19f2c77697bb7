"""Closing a program takes a confirmation page that says what closing means (activating stays
one step), and the element removal page names the element once, without the program's code."""

from __future__ import annotations

import datetime as dt
from typing import Any
from typing import cast as cast_to

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from accounts.roles import Role
from programs import models as m
from programs.placements import services as placements
from tests.cast import Cast
from tests.clients import client_for
from tests.factories import UserFactory
from tests.queries import assert_flat_queries

from .factories import CourseFactory, PlacementFactory, ProgramFactory, StudentFactory, grant

pytestmark = pytest.mark.django_db


def user_of(cast: Cast, name: str, admin: User) -> Any:
    return {
        "admin": admin,
        "program_admin": cast.program_admin,
        "tutor": cast.tutor.user,
        "student": cast.student.user,
        "coordinator": cast.coordinator,
        "outsider": UserFactory(email="oscar@example.org"),
    }[name]


def close_url(program: m.Program) -> str:
    return reverse("programs:program-close", args=[program.pk])


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("admin", 200),
        ("program_admin", 200),
        ("tutor", 403),
        ("student", 403),
        ("coordinator", 404),
        ("outsider", 404),
    ],
)
def test_who_sees_the_close_page(cast: Cast, admin: User, name: str, status: int) -> None:
    assert client_for(user_of(cast, name, admin)).get(close_url(cast.program)).status_code == (
        status
    )


@pytest.mark.parametrize(
    ("name", "status"),
    [("tutor", 403), ("student", 403), ("coordinator", 404), ("outsider", 404)],
)
def test_who_may_not_close(cast: Cast, admin: User, name: str, status: int) -> None:
    client = client_for(user_of(cast, name, admin))
    assert client.post(close_url(cast.program), {"reason": "x"}).status_code == status
    cast.program.refresh_from_db()
    assert cast.program.status == "active"


def test_the_close_page_says_what_closing_means_and_what_still_runs(cast: Cast) -> None:
    page = client_for(cast.program_admin).get(close_url(cast.program)).content.decode()
    assert "it takes no new students, placements or projects;" in page
    assert "2 students are still active in this program." in page
    assert "1 placement is planned or under way." in page
    cast.program.refresh_from_db()
    assert cast.program.status == "active"  # looking at the page changes nothing


def test_closing_on_the_page_keeps_the_optional_reason(cast: Cast) -> None:
    client = client_for(cast.program_admin)
    response = client.post(close_url(cast.program), {"reason": " Last cohort graduated. "})
    assert response.status_code == 302
    cast.program.refresh_from_db()
    assert cast.program.status == "closed"
    change = m.ProgramStatusChange.objects.get(program=cast.program)
    assert (change.to_status, change.reason) == ("closed", "Last cohort graduated.")


def test_closing_needs_no_reason(cast: Cast) -> None:
    assert client_for(cast.program_admin).post(close_url(cast.program), {}).status_code == 302
    cast.program.refresh_from_db()
    assert cast.program.status == "closed"


def test_a_closed_program_has_no_close_page(cast: Cast) -> None:
    m.Program.objects.filter(pk=cast.program.pk).update(status=m.Program.Status.CLOSED)
    client = client_for(cast.program_admin)
    assert client.get(close_url(cast.program)).status_code == 403
    assert client.post(close_url(cast.program), {}).status_code == 403


def test_the_program_page_links_to_the_close_page_and_keeps_activate_one_step(
    cast: Cast,
) -> None:
    client = client_for(cast.program_admin)
    detail = client.get(reverse("programs:program-detail", args=[cast.program.pk]))
    page = detail.content.decode()
    assert f'href="{close_url(cast.program)}"' in page and 'value="close"' not in page
    draft = cast_to(m.Program, ProgramFactory(status=m.Program.Status.DRAFT))
    grant(cast.program_admin, Role.PROGRAM_ADMIN, draft)
    page = client.get(reverse("programs:program-detail", args=[draft.pk])).content.decode()
    assert 'value="activate"' in page


def test_the_close_page_queries_stay_flat(cast: Cast) -> None:
    client = client_for(cast.program_admin)

    def grow() -> None:
        for _ in range(3):
            PlacementFactory(student=StudentFactory(program=cast.program), host=cast.hospital)

    assert_flat_queries(lambda: client.get(close_url(cast.program)), grow, max_queries=12)


# ---- The element removal page --------------------------------------------------------------


def test_the_remove_page_names_a_course_without_the_programs_code(cast: Cast) -> None:
    course = cast_to(
        m.Course,
        CourseFactory(
            code="MIT-302",
            title="AI in Radiology",
            delivering_organization=cast.program.lead_university,
        ),
    )
    entry = m.ProgramCourse.objects.create(
        program=cast.program, course=course, requirement="required", semester=1
    )
    url = reverse("programs:element-remove", args=[cast.program.pk, "curriculum", entry.pk])
    response = client_for(cast.program_admin).get(url)
    title = response.content.decode().split("<title>")[1].split("</title>")[0]
    assert f"{cast.program.code}:" not in title
    assert "Remove the curriculum course: MIT-302 AI in Radiology" in title


def test_the_close_page_and_the_new_refusals_read_in_chinese(cast: Cast) -> None:
    client = client_for(cast.program_admin)
    User.objects.filter(pk=cast.program_admin.pk).update(preferred_language="zh-hans")
    text = client.get(close_url(cast.program)).content.decode()
    assert "项目关闭后：" in text  # noqa: RUF001
    assert "本项目仍有 2 名在读学生。" in text
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        placements.create_placement(
            user=cast.program_admin,
            student=cast.other_student,
            host=cast.other_hospital,
            start_date=dt.date(2026, 5, 1),
            end_date=dt.date(2026, 6, 30),
            objectives="MR",
        )
    assert caught.value.message_dict["host"] == [
        f"Second Hospital 不是 {cast.program.code} 的有效合作单位，请选择该项目的合作单位。"  # noqa: RUF001
    ]
