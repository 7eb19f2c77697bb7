"""Writes of a program's elements through the API: create, edit, remove (delete or retire),
reinstate, move; the program's own update and lifecycle; courses and partners."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from accounts.models import User
from accounts.roles import Role
from programs import models as m
from tests.cast import Cast
from tests.clients import api_for, client_for
from tests.factories import UserFactory
from tests.queries import assert_flat_queries

from .factories import CourseFactory, OrganizationFactory, PlanFactory, ProgramFactory, grant
from .test_element_pages import elements_of

pytestmark = pytest.mark.django_db

#: (API basename, the page's kind) of each element
ENDPOINTS = [
    ("objective", "objectives"),
    ("stage", "stages"),
    ("milestone-template", "milestones"),
    ("curriculum", "curriculum"),
    ("program-partner", "partners"),
]

EDITS = {
    "objectives": {"title": "Reads images"},
    "stages": {"expected_months": 9},
    "milestones": {"due_offset_days": 120},
    "curriculum": {"semester": 3},
    "partners": {"places_offered": 5},
}


def user_of(cast: Cast, name: str, admin: User) -> Any:
    return {
        "admin": admin,
        "program_admin": cast.program_admin,
        "tutor": cast.tutor.user,
        "student": cast.student.user,
        "coordinator": cast.coordinator,
        "outsider": UserFactory(email="oscar@example.org"),
    }[name]


@pytest.mark.parametrize(("basename", "kind"), ENDPOINTS)
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
def test_element_edits_by_role(
    cast: Cast, admin: User, basename: str, kind: str, name: str, status: int
) -> None:
    element = elements_of(cast.program)[kind]
    api = api_for(user_of(cast, name, admin))
    url = reverse(f"api:{basename}-detail", args=[element.pk])
    response = api.patch(url, EDITS[kind], format="json")
    assert response.status_code == status
    element.refresh_from_db()
    ((field, value),) = EDITS[kind].items()
    assert (getattr(element, field) == value) is (status == 200)
    removal = reverse(f"api:{basename}-removal", args=[element.pk])
    assert api.get(removal).status_code == status
    remove = reverse(f"api:{basename}-remove", args=[element.pk])
    if status != 200:
        assert api.post(remove).status_code == status
        assert type(element).objects.filter(pk=element.pk).exists()


def test_an_objective_is_created_edited_moved_and_deleted(cast: Cast) -> None:
    api = api_for(cast.program_admin)
    made = [
        api.post(
            reverse("api:objective-list"),
            {"program": cast.program.pk, "title": title, "description": "By an exam."},
            format="json",
        )
        for title in ("Raeds images", "Writes reports")
    ]
    assert [r.status_code for r in made] == [201, 201]
    first, second = (r.data["id"] for r in made)
    again = api.post(
        reverse("api:objective-list"),
        {"program": cast.program.pk, "title": "Raeds images", "description": "Again."},
        format="json",
    )
    assert again.status_code == 400
    assert again.data["title"] == ["This program already has an objective with this title."]
    fixed = api.patch(
        reverse("api:objective-detail", args=[first]), {"title": "Reads images"}, format="json"
    )
    assert fixed.status_code == 200
    assert (fixed.data["title"], fixed.data["description"]) == ("Reads images", "By an exam.")
    moved = api.post(reverse("api:objective-move", args=[second]), {"direction": "up"})
    assert moved.status_code == 200
    assert moved.data["order"] == 1
    stuck = api.post(reverse("api:objective-move", args=[second]), {"direction": "up"})
    assert stuck.status_code == 400
    assert stuck.data["direction"] == ["This item is already first."]
    removed = api.post(reverse("api:objective-remove", args=[first]))
    assert removed.status_code == 200
    assert removed.data == {"action": "delete", "reasons": []}
    assert api.get(reverse("api:objective-detail", args=[first])).status_code == 404


def test_a_course_in_a_plan_is_retired_and_reinstated(cast: Cast) -> None:
    entry = elements_of(cast.program)["curriculum"]
    PlanFactory(student=cast.student).courses.add(entry.course)
    api = api_for(cast.program_admin)
    preview = api.get(reverse("api:curriculum-removal", args=[entry.pk]))
    assert preview.data == {
        "action": "retire",
        "reasons": ["1 training plan includes this course."],
    }
    assert api.post(reverse("api:curriculum-remove", args=[entry.pk])).data["action"] == "retire"
    shown = api.get(reverse("api:curriculum-detail", args=[entry.pk]))
    assert shown.data["retired_at"] is not None
    back = api.post(reverse("api:curriculum-reinstate", args=[entry.pk]))
    assert back.status_code == 200
    assert back.data["retired_at"] is None


def test_a_new_course_joins_the_curriculum_through_the_api(cast: Cast) -> None:
    api = api_for(cast.program_admin)
    university = cast.program.lead_university
    response = api.post(
        reverse("api:curriculum-list"),
        {
            "program": cast.program.pk,
            "requirement": "elective",
            "semester": 2,
            "new_course": {
                "code": "NEW1",
                "title": "Innovation lab",
                "credits": "2.5",
                "category": "innovation_entrepreneurship",
                "delivering_organization": university.pk,
            },
        },
        format="json",
    )
    assert response.status_code == 201, response.data
    assert response.data["code"] == "NEW1"
    neither = api.post(
        reverse("api:curriculum-list"),
        {"program": cast.program.pk, "requirement": "elective", "semester": 2},
        format="json",
    )
    assert neither.status_code == 400
    assert neither.data["course"] == ["Choose a course, or describe a new one."]


def test_a_milestone_template_and_a_stage_are_created_through_the_api(cast: Cast) -> None:
    api = api_for(cast.program_admin)
    stage = api.post(
        reverse("api:stage-list"),
        {
            "program": cast.program.pk,
            "kind": "coursework",
            "title": "Coursework",
            "expected_months": 6,
        },
        format="json",
    )
    assert stage.status_code == 201
    template = api.post(
        reverse("api:milestone-template-list"),
        {
            "program": cast.program.pk,
            "kind": "other",
            "title": "Proposal",
            "due_offset_days": 90,
            "stage": stage.data["id"],
        },
        format="json",
    )
    assert template.status_code == 201
    assert template.data["stage"] == stage.data["id"]


def test_a_course_is_patched_by_who_administers_every_program_teaching_it(
    cast: Cast, admin: User
) -> None:
    course = elements_of(cast.program)["curriculum"].course
    url = reverse("api:course-detail", args=[course.pk])
    response = api_for(cast.program_admin).patch(url, {"title": "Imaging physics"}, format="json")
    assert response.status_code == 200
    assert response.data["title"] == "Imaging physics"
    m.ProgramCourse.objects.create(
        program=ProgramFactory(), course=course, requirement="required", semester=1
    )
    refused = api_for(cast.program_admin).patch(url, {"title": "Mine"}, format="json")
    assert refused.status_code == 403
    assert api_for(cast.tutor.user).patch(url, {"title": "Mine"}, format="json").status_code == (
        403
    )
    bad = api_for(admin).patch(url, {"credits": "30"}, format="json")
    assert bad.status_code == 400
    assert bad.data["credits"] == ["Credits must be more than 0 and at most 20."]


def test_a_partner_is_patched_with_every_problem_reported_at_once(cast: Cast) -> None:
    partner = elements_of(cast.program)["partners"]
    url = reverse("api:program-partner-detail", args=[partner.pk])
    api = api_for(cast.program_admin)
    bad = api.patch(
        url,
        {"agreement_end": "2020-01-01", "responsibilities": ["teaching", "juggling"]},
        format="json",
    )
    assert bad.status_code == 400
    assert set(bad.data) == {"agreement_end", "responsibilities"}
    good = api.patch(
        url,
        {"agreement_end": "2030-01-01", "places_offered": 3, "responsibilities": ["teaching"]},
        format="json",
    )
    assert good.status_code == 200
    assert (good.data["agreement_end"], good.data["places_offered"]) == ("2030-01-01", 3)
    assert good.data["responsibilities"] == ["teaching"]


@pytest.mark.parametrize(
    ("name", "status"),
    [("program_admin", 200), ("tutor", 403), ("student", 403), ("outsider", 404)],
)
def test_program_update_and_transition_by_role(
    cast: Cast, admin: User, name: str, status: int
) -> None:
    api = api_for(user_of(cast, name, admin))
    url = reverse("api:program-detail", args=[cast.program.pk])
    assert api.patch(url, {"title": "Imaging"}, format="json").status_code == status
    transition = reverse("api:program-transition", args=[cast.program.pk])
    response = api.post(
        transition, {"transition": "close", "reason": "Last cohort graduated.", "confirm": True}
    )
    assert response.status_code == status
    cast.program.refresh_from_db()
    expected = ("Imaging", "closed") if status == 200 else ("Medical Imaging Technology", "active")
    assert (cast.program.title, cast.program.status) == expected


def test_program_transitions_through_the_api(cast: Cast, admin: User) -> None:
    url = reverse("api:program-transition", args=[cast.program.pk])
    api = api_for(cast.program_admin)
    wrong = api.post(url, {"transition": "activate"})
    assert wrong.status_code == 400
    assert wrong.data["transition"] == ["A program that is “Active” cannot take this step."]
    assert api.post(url, {"transition": "close", "confirm": True}).data["status"] == "closed"
    reopen = {"transition": "reopen", "reason": "Closed by mistake."}
    assert api.post(url, reopen).status_code == 403
    unexplained = api_for(admin).post(url, {"transition": "reopen"})
    assert unexplained.status_code == 400
    assert unexplained.data["reason"] == ["Say why the program is reopened."]
    assert api_for(admin).post(url, reopen).data["status"] == "active"


def test_a_closed_programs_elements_refuse_changes(cast: Cast) -> None:
    objective = elements_of(cast.program)["objectives"]
    m.Program.objects.filter(pk=cast.program.pk).update(status=m.Program.Status.CLOSED)
    api = api_for(cast.program_admin)
    url = reverse("api:objective-detail", args=[objective.pk])
    response = api.patch(url, {"title": "Late change"}, format="json")
    assert response.status_code == 400
    assert "The program is closed" in str(response.data)


def test_the_program_end_date_is_checked(cast: Cast) -> None:
    url = reverse("api:program-detail", args=[cast.program.pk])
    response = api_for(cast.program_admin).patch(url, {"end_date": "2000-01-01"}, format="json")
    assert response.status_code == 400
    assert response.data["end_date"] == ["The program cannot end before it starts."]


def _more(program: m.Program, first: int, last: int) -> None:
    for n in range(first, last + 1):
        m.TrainingObjective.objects.create(program=program, order=n, title=f"O{n}", description="D")
        m.Stage.objects.create(
            program=program, order=n, kind="other", title=f"S{n}", expected_months=1
        )
        m.MilestoneTemplate.objects.create(
            program=program, kind="other", title=f"M{n}", due_offset_days=n
        )
        m.ProgramCourse.objects.create(
            program=program, course=CourseFactory(), requirement="required", semester=1
        )
        partner = m.ProgramPartner.objects.create(
            program=program,
            organization=OrganizationFactory(),
            agreement_start=dt.date(2025, 1, 1),
        )
        m.PartnerResponsibility.objects.create(partner=partner, responsibility="teaching")


@pytest.mark.parametrize(
    "basename", ["objective", "stage", "milestone-template", "curriculum", "program-partner"]
)
def test_element_lists_query_count_is_flat(cast: Cast, basename: str) -> None:
    api = api_for(cast.program_admin)
    _more(cast.program, 1, 2)
    url = reverse(f"api:{basename}-list")
    assert_flat_queries(lambda: api.get(url), lambda: _more(cast.program, 3, 14), max_queries=8)


def test_elements_of_hidden_programs_are_not_listed(cast: Cast) -> None:
    hidden = ProgramFactory()
    _more(hidden, 1, 1)
    _more(cast.program, 1, 1)
    response = api_for(cast.tutor.user).get(reverse("api:objective-list"))
    assert {row["program"] for row in response.data["results"]} == {cast.program.pk}
    grant(cast.coordinator, Role.PARTNER_COORDINATOR, OrganizationFactory())
    assert api_for(cast.coordinator).get(reverse("api:objective-list")).data["results"] == []


def test_a_status_change_and_its_reason_are_in_the_programs_history(cast: Cast) -> None:
    api = api_for(cast.program_admin)
    url = reverse("api:program-transition", args=[cast.program.pk])
    close = {"transition": "close", "reason": "The last cohort graduated.", "confirm": True}
    response = api.post(url, close)
    assert response.status_code == 200
    history = reverse("core:history", args=["programs", "program", cast.program.pk])
    page = client_for(cast.program_admin).get(history)
    assert page.status_code == 200
    text = page.content.decode()
    assert "The last cohort graduated." in text
    assert "Closed" in text
