"""The program's page links to evaluation's pages about the program (registered through
`programs.extensions`): its quality assessment (indicators), opening an evaluation round, its
dashboard. Each link shows to those who may open its page, and the page then answers 200;
the others get no link and cannot open the page either.

On the programs cast with `hospital` a partner of the program (so that Cora sees it).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from accounts.models import User
from programs import extensions
from programs import models as m
from tests.cast import Cast
from tests.clients import client_for
from tests.evaluation.conftest import ROLES, by_role

pytestmark = pytest.mark.django_db

#: The evaluation pages linked from the program's page, by URL name.
LINKED = [
    "evaluations:indicators",
    "evaluations:round-list",
    "evaluations:round-create",
    "reports:program-dashboard",
]
#: What every role shown the program's page may open about it.
READERS = {"evaluations:indicators", "evaluations:round-list"}
#: Who is shown the program's page, and which of the links on it.
LINKS = {
    "admin": set(LINKED),
    "program_admin": set(LINKED),
    "coordinator": READERS,
    "tutor": READERS,
    "practice_tutor": READERS,
    "other_tutor": READERS,
    "student": READERS,
    "other_student": READERS,
}


def url_of(name: str, program: m.Program) -> str:
    if name == "evaluations:round-list":  # a list, filtered by its query string
        return f"{reverse(name)}?program={program.pk}"
    return reverse(name, args=[program.pk])


@pytest.fixture
def people(cast: Cast, admin: User, outsider: User) -> dict[str, Any]:
    m.ProgramPartner.objects.create(
        program=cast.program, organization=cast.hospital, agreement_start=dt.date(2025, 9, 1)
    )
    return by_role(cast, admin, outsider)


def links_on(page: str, program: m.Program) -> set[str]:
    return {name for name in LINKED if f'href="{url_of(name, program)}"' in page}


@pytest.mark.parametrize("role", ROLES)
def test_the_program_page_links_to_what_each_role_may_open(
    cast: Cast, people: dict[str, Any], role: str
) -> None:
    client = client_for(people[role])
    response = client.get(reverse("programs:program-detail", args=[cast.program.pk]))
    if role not in LINKS:
        # Outsiders to the program: no page, hence no links (anonymous: sign in).
        assert response.status_code == (302 if role == "anonymous" else 404), role
        return
    assert response.status_code == 200, role
    shown = links_on(response.content.decode(), cast.program)
    assert shown == LINKS[role], role
    for name in LINKED:
        status = client.get(url_of(name, cast.program)).status_code
        if name in shown:
            assert status == 200, (role, name)
        else:
            assert status == 403, (role, name)


def test_the_links_sit_with_the_quality_assessment(cast: Cast, people: dict[str, Any]) -> None:
    page = (
        client_for(people["program_admin"])
        .get(reverse("programs:program-detail", args=[cast.program.pk]))
        .content.decode()
    )
    quality = page.split('id="quality-heading"', 1)[1].split("</section>", 1)[0]
    assert links_on(quality, cast.program) == set(LINKED)


class _Program:
    pk = 7


def test_sections_are_filtered_per_user_and_registered_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(extensions, "_sections", [])
    extensions.register_program_section("Indicators", "evaluations:indicators", lambda u, p: True)
    extensions.register_program_section(
        "Dashboard", "reports:program-dashboard", lambda u, p: u == "admin"
    )
    extensions.register_program_section("Again", "evaluations:indicators", lambda u, p: False)

    everyone = extensions.sections_for("student", _Program())
    assert [(s.label, s.url) for s in everyone] == [
        ("Indicators", reverse("evaluations:indicators", args=[7]))
    ]
    assert [s.label for s in extensions.sections_for("admin", _Program())] == [
        "Indicators",
        "Dashboard",
    ]
