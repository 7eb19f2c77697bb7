"""The reward ledger: completed projects award their members and organisations in the same
transaction, many small projects count like a big one, the ledger is append-only in the
database, a correction is a reversing entry (reason required, once) and moves the totals;
who sees and does what, for every role of the cast, on the pages and the API."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from evaluation.ledger import services
from evaluation.ledger.services import Period
from evaluation.models import RewardEntry, RewardRule
from programs import models as m
from programs.projects.services import confirm_completion, request_completion, update_project_status
from tests.cast import Cast
from tests.clients import api_for, client_for
from tests.queries import assert_flat_queries
from training_portal.core.navigation import entries_for

from .conftest import make_project

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def person_total(world: Cast, user: Any) -> Decimal:
    rows = services.leaderboard(world.program_admin, kind="person", program=world.program)
    return next((row.points for row in rows if row.pk == user.pk), Decimal(0))


def student_award(world: Cast) -> RewardEntry:
    return RewardEntry.objects.get(user=world.student.user, kind="award")


# ---- Awards --------------------------------------------------------------------------------


def test_completing_a_project_awards_each_member_and_each_organisation(
    world: Cast, complete: Callable[..., m.Project]
) -> None:
    project = complete("medium")
    entries = RewardEntry.objects.filter(project=project)
    assert {(e.user_id, e.organization_id) for e in entries} == {
        (world.student.user.pk, None),
        (world.tutor.user.pk, None),
        (None, world.program.lead_university_id),
        (None, world.hospital.pk),
    }
    assert {e.points for e in entries} == {Decimal(3)}
    assert {e.earned_on for e in entries} == {timezone.localdate()}
    assert {e.kind for e in entries} == {"award"}
    assert {e.created_by_id for e in entries} == {world.program_admin.pk}


def test_a_project_that_fails_or_is_merely_approved_earns_nothing(world: Cast) -> None:
    project = make_project(world)
    update_project_status(user=world.program_admin, project=project, status="failed")
    assert not RewardEntry.objects.exists()
    assert services.award_project(project=project) == 0


def test_many_small_projects_count_like_a_big_one(
    world: Cast, complete: Callable[..., m.Project]
) -> None:
    for _ in range(5):
        complete("small", members=[world.student.user])
    complete("big", members=[world.other_student.user])
    assert person_total(world, world.student.user) == Decimal(5)
    assert person_total(world, world.other_student.user) == Decimal(5)


def test_awarding_twice_adds_nothing(world: Cast, complete: Callable[..., m.Project]) -> None:
    project = complete("big")
    assert RewardEntry.objects.count() == 4
    assert services.award_project(project=project) == 0
    assert RewardEntry.objects.count() == 4


def test_a_failing_award_undoes_the_completion(
    world: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_project(world)

    def broken(**kwargs: Any) -> int:
        raise RuntimeError("ledger down")

    monkeypatch.setattr(services, "award_project", broken)
    with pytest.raises(RuntimeError):
        request_completion(user=world.student.user, project=project)
        confirm_completion(user=world.program_admin, project=project)
    project.refresh_from_db()
    assert project.status == "active"


def test_program_administrators_set_the_points_per_size(
    world: Cast, complete: Callable[..., m.Project]
) -> None:
    services.set_reward_rules(
        user=world.program_admin, program=world.program, points={"small": 2, "medium": 4, "big": 9}
    )
    assert services.points_by_size(world.program) == {"small": 2, "medium": 4, "big": 9}
    project = complete("small")
    assert {e.points for e in project.reward_entries.all()} == {Decimal(2)}


def test_points_per_size_default_to_one_three_five(world: Cast) -> None:
    assert services.points_by_size(world.program) == {"small": 1, "medium": 3, "big": 5}


@pytest.mark.parametrize(
    ("points", "field"),
    [
        ({"small": 0, "medium": 3, "big": 5}, "small"),
        ({"small": 1, "medium": "x", "big": 5}, "medium"),
        ({"small": 1, "medium": 3}, "big"),
        ({"small": 1, "medium": 3, "big": 5000}, "big"),
        ({"small": 1, "medium": 3, "big": 5, "huge": 9}, "size"),
    ],
)
def test_points_per_size_are_validated(world: Cast, points: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        services.set_reward_rules(user=world.program_admin, program=world.program, points=points)
    assert field in caught.value.message_dict
    assert not RewardRule.objects.exists()


def test_only_the_programs_administrators_set_its_points(world: Cast) -> None:
    with pytest.raises(PermissionDenied):
        services.set_reward_rules(
            user=world.coordinator,
            program=world.program,
            points={"small": 1, "medium": 2, "big": 3},
        )


# ---- Append-only ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE evaluation_rewardentry SET points = 100",
        "DELETE FROM evaluation_rewardentry",
    ],
)
def test_the_database_refuses_to_change_or_delete_an_entry(
    world: Cast, complete: Callable[..., m.Project], sql: str
) -> None:
    complete("medium")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    assert sorted(RewardEntry.objects.values_list("points", flat=True)) == [Decimal(3)] * 4


def test_the_orm_cannot_change_or_delete_an_entry_either(
    world: Cast, complete: Callable[..., m.Project]
) -> None:
    complete("medium")
    entry = student_award(world)
    entry.points = Decimal(50)
    with pytest.raises(DatabaseError), transaction.atomic():
        entry.save()
    with pytest.raises(DatabaseError), transaction.atomic():
        RewardEntry.objects.filter(pk=entry.pk).delete()
    assert RewardEntry.objects.get(pk=entry.pk).points == Decimal(3)


# ---- Reversals -----------------------------------------------------------------------------


def test_a_reversal_cancels_an_award_and_moves_the_totals(
    world: Cast, complete: Callable[..., m.Project]
) -> None:
    big = complete("big")
    complete("small", members=[world.student.user])
    assert person_total(world, world.student.user) == Decimal(6)
    award = big.reward_entries.get(user=world.student.user)
    reversal = services.reverse_entry(
        user=world.program_admin, entry=award, reason="  Recorded by mistake.  "
    )
    assert reversal.kind == "reversal"
    assert reversal.points == -award.points
    assert reversal.reverses_id == award.pk
    assert reversal.reason == "Recorded by mistake."
    assert reversal.earned_on == award.earned_on
    assert reversal.user_id == world.student.user.pk
    assert person_total(world, world.student.user) == Decimal(6) - award.points


def test_a_reversal_needs_a_reason(world: Cast, complete: Callable[..., m.Project]) -> None:
    complete("big")
    with pytest.raises(ValidationError) as caught:
        services.reverse_entry(user=world.program_admin, entry=student_award(world), reason="  ")
    assert "reason" in caught.value.message_dict
    assert not RewardEntry.objects.filter(kind="reversal").exists()


def test_an_award_is_reversed_once(world: Cast, complete: Callable[..., m.Project]) -> None:
    complete("big")
    award = student_award(world)
    services.reverse_entry(user=world.program_admin, entry=award, reason="Mistake.")
    with pytest.raises(ValidationError) as caught:
        services.reverse_entry(user=world.program_admin, entry=award, reason="Again.")
    assert "entry" in caught.value.message_dict
    assert RewardEntry.objects.filter(kind="reversal").count() == 1


def test_a_reversal_is_not_reversed(world: Cast, complete: Callable[..., m.Project]) -> None:
    complete("big")
    reversal = services.reverse_entry(
        user=world.program_admin, entry=student_award(world), reason="Mistake."
    )
    with pytest.raises(PermissionDenied):
        services.reverse_entry(user=world.program_admin, entry=reversal, reason="Undo.")


@pytest.mark.parametrize("name", ["coordinator", "tutor", "student", "outsider"])
def test_only_administrators_reverse(
    world: Cast, people: dict[str, Any], complete: Callable[..., m.Project], name: str
) -> None:
    complete("big")
    with pytest.raises(PermissionDenied):
        services.reverse_entry(user=people[name], entry=student_award(world), reason="No.")


def test_portal_administrators_reverse_too(
    world: Cast, people: dict[str, Any], complete: Callable[..., m.Project]
) -> None:
    complete("big")
    services.reverse_entry(user=people["admin"], entry=student_award(world), reason="Mistake.")
    assert RewardEntry.objects.filter(kind="reversal").count() == 1


# ---- Totals and periods --------------------------------------------------------------------


def test_totals_per_period_and_organisation_with_shared_ranks(
    world: Cast, complete: Callable[..., m.Project]
) -> None:
    complete("medium")
    last_year = TODAY.year - 1
    RewardEntry.objects.create(
        program=world.program,
        project=make_project(world),
        organization=world.other_hospital,
        points=Decimal(7),
        earned_on=dt.date(last_year, 6, 1),
    )
    this_year = services.leaderboard(
        world.program_admin, kind="organisation", period=Period.year(TODAY.year)
    )
    assert [(row.pk, row.points, row.rank) for row in this_year] == sorted(
        [
            (world.program.lead_university_id, Decimal(3), 1),
            (world.hospital.pk, Decimal(3), 1),
        ],
        key=lambda row: (
            [world.hospital.pk, world.program.lead_university_id].index(row[0])
            if world.hospital.name < world.program.lead_university.name
            else [world.program.lead_university_id, world.hospital.pk].index(row[0])
        ),
    )
    everything = services.leaderboard(world.program_admin, kind="organisation")
    assert [(row.points, row.rank) for row in everything] == [
        (Decimal(7), 1),
        (Decimal(3), 2),
        (Decimal(3), 2),
    ]
    dated = services.leaderboard(
        world.program_admin,
        kind="organisation",
        period=Period(dt.date(last_year, 1, 1), dt.date(last_year, 12, 31)),
    )
    assert [(row.pk, row.points) for row in dated] == [(world.other_hospital.pk, Decimal(7))]


# ---- Who sees which entries ----------------------------------------------------------------

SEES = {
    "admin": 4,
    "program_admin": 4,
    "coordinator": 1,
    "other_coordinator": 0,
    "tutor": 1,
    "practice_tutor": 0,
    "other_tutor": 0,
    "student": 1,
    "other_student": 0,
    "outsider": 0,
    "anonymous": 0,
}


@pytest.mark.parametrize(("name", "count"), SEES.items())
def test_who_sees_which_entries(
    world: Cast, people: dict[str, Any], complete: Callable[..., m.Project], name: str, count: int
) -> None:
    complete("medium")
    user = people[name]
    from django.contrib.auth.models import AnonymousUser

    visible = RewardEntry.objects.visible_to(user or AnonymousUser())
    assert visible.count() == count
    if name in ("tutor", "student"):
        assert visible.get().user == user
    if name == "coordinator":
        assert visible.get().organization == world.hospital


# ---- Pages ---------------------------------------------------------------------------------

#: Lists of records: everyone signed in gets the entries they may see (`other_tutor`, with no
#: role granted in the cast, and the outsider: none, and the page says so).
LIST_PAGE = {
    "admin": 200,
    "program_admin": 200,
    "coordinator": 200,
    "other_coordinator": 200,
    "tutor": 200,
    "practice_tutor": 200,
    "other_tutor": 200,
    "student": 200,
    "other_student": 200,
    "outsider": 200,
    "anonymous": 302,
}
EMPTY_SENTENCE = {"ledger:entry-list": "No entries.", "ledger:leaderboard": "No points in"}


@pytest.mark.parametrize("url_name", ["ledger:entry-list", "ledger:leaderboard"])
@pytest.mark.parametrize(("name", "expected"), LIST_PAGE.items())
def test_ledger_pages_by_role(
    world: Cast,
    people: dict[str, Any],
    complete: Callable[..., m.Project],
    url_name: str,
    name: str,
    expected: int,
) -> None:
    complete("medium")
    user = people[name]
    response = client_for(user).get(reverse(url_name))
    assert response.status_code == expected
    if expected != 200:
        return
    visible = RewardEntry.objects.visible_to(user)
    rows = list(response.context["page"].object_list)
    if url_name == "ledger:entry-list":
        assert {entry.pk for entry in rows} == set(visible.values_list("pk", flat=True))
    else:
        personal = visible.filter(user__isnull=False)  # ranked per person by default
        assert sum((row.points for row in rows), Decimal(0)) == sum(
            personal.values_list("points", flat=True), Decimal(0)
        )
    page = response.content.decode()
    assert (EMPTY_SENTENCE[url_name] in page) == (not rows)
    if name in ("other_tutor", "outsider"):
        assert rows == []
    # Setting the points per size stays with the program's administrators.
    rules = reverse("ledger:rules", args=[world.program.pk])
    assert (rules in page) == (url_name == "ledger:entry-list" and name in ADMINISTRATORS)


ADMINISTRATORS = ("admin", "program_admin")


def test_a_student_sees_their_own_points_only(
    world: Cast, people: dict[str, Any], complete: Callable[..., m.Project]
) -> None:
    complete("medium")
    page = client_for(world.student.user).get(reverse("ledger:leaderboard")).content.decode()
    assert "Stan Student" in page
    assert "Tom Tutor" not in page
    page = client_for(world.program_admin).get(reverse("ledger:leaderboard")).content.decode()
    assert "Stan Student" in page and "Tom Tutor" in page


def test_the_leaderboard_per_organisation_for_a_program_and_year(
    world: Cast, complete: Callable[..., m.Project]
) -> None:
    complete("big")
    url = reverse("ledger:leaderboard")
    query = {"kind": "organisation", "program": world.program.pk, "year": TODAY.year}
    page = client_for(world.program_admin).get(url, query).content.decode()
    assert world.hospital.name in page
    page = client_for(world.program_admin).get(url, {**query, "year": TODAY.year - 1})
    assert world.hospital.name not in page.content.decode()


def test_a_bad_period_is_a_form_error(world: Cast) -> None:
    response = client_for(world.program_admin).get(
        reverse("ledger:entry-list"), {"start": "2026-05-01", "end": "2026-01-01"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["end"]


DETAIL = {
    "admin": 200,
    "program_admin": 200,
    "coordinator": 404,
    "other_coordinator": 404,
    "tutor": 404,
    "practice_tutor": 404,
    "other_tutor": 404,
    "student": 200,
    "other_student": 404,
    "outsider": 404,
    "anonymous": 302,
}
REVERSE = {**DETAIL, "admin": 302, "program_admin": 302, "student": 403}


@pytest.mark.parametrize(("name", "expected"), DETAIL.items())
def test_entry_page_by_role(
    world: Cast,
    people: dict[str, Any],
    complete: Callable[..., m.Project],
    name: str,
    expected: int,
) -> None:
    complete("medium")
    url = reverse("ledger:entry-detail", args=[student_award(world).pk])
    assert client_for(people[name]).get(url).status_code == expected


@pytest.mark.parametrize(("name", "expected"), REVERSE.items())
def test_reverse_page_by_role(
    world: Cast,
    people: dict[str, Any],
    complete: Callable[..., m.Project],
    name: str,
    expected: int,
) -> None:
    complete("medium")
    url = reverse("ledger:entry-reverse", args=[student_award(world).pk])
    response = client_for(people[name]).post(url, {"reason": "Mistake."})
    assert response.status_code == expected
    reversed_ = RewardEntry.objects.filter(kind="reversal").exists()
    assert reversed_ == (name in ("admin", "program_admin"))


def test_reversing_without_a_reason_shows_the_form_error(
    world: Cast, complete: Callable[..., m.Project]
) -> None:
    complete("medium")
    url = reverse("ledger:entry-reverse", args=[student_award(world).pk])
    response = client_for(world.program_admin).post(url, {"reason": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    assert not RewardEntry.objects.filter(kind="reversal").exists()


RULES = {
    "admin": 200,
    "program_admin": 200,
    "coordinator": 403,
    "other_coordinator": 404,
    "tutor": 403,
    "practice_tutor": 403,
    "other_tutor": 403,
    "student": 403,
    "other_student": 403,
    "outsider": 404,
    "anonymous": 302,
}


@pytest.mark.parametrize(("name", "expected"), RULES.items())
def test_rules_page_by_role(world: Cast, people: dict[str, Any], name: str, expected: int) -> None:
    url = reverse("ledger:rules", args=[world.program.pk])
    client = client_for(people[name])
    assert client.get(url).status_code == expected
    posted = client.post(url, {"small": 2, "medium": 4, "big": 6})
    assert posted.status_code == (302 if expected == 200 else expected)
    assert RewardRule.objects.exists() == (expected == 200)


def test_rules_form_shows_errors(world: Cast) -> None:
    url = reverse("ledger:rules", args=[world.program.pk])
    response = client_for(world.program_admin).post(url, {"small": 0, "medium": 4, "big": ""})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"small", "big"}
    assert not RewardRule.objects.exists()


def test_ledger_in_the_navigation_of_those_with_a_role(world: Cast, people: dict[str, Any]) -> None:
    def has_ledger(user: Any) -> bool:
        return any(entry.url_name == "ledger:entry-list" for entry in entries_for(user))

    assert has_ledger(world.student.user)
    assert has_ledger(world.coordinator)
    assert not has_ledger(people["outsider"])


# ---- API -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "count"), SEES.items())
def test_api_lists_the_entries_each_role_sees(
    world: Cast, people: dict[str, Any], complete: Callable[..., m.Project], name: str, count: int
) -> None:
    complete("medium")
    response = api_for(people[name]).get(reverse("api:reward-entry-list"))
    if name == "anonymous":
        assert response.status_code == 401
        return
    assert response.status_code == 200
    assert len(response.json()["results"]) == count


@pytest.mark.parametrize(("name", "expected"), DETAIL.items())
def test_api_entry_detail_by_role(
    world: Cast,
    people: dict[str, Any],
    complete: Callable[..., m.Project],
    name: str,
    expected: int,
) -> None:
    complete("medium")
    url = reverse("api:reward-entry-detail", args=[student_award(world).pk])
    response = api_for(people[name]).get(url)
    assert response.status_code == (401 if expected == 302 else expected)


@pytest.mark.parametrize(("name", "expected"), REVERSE.items())
def test_api_reverse_by_role(
    world: Cast,
    people: dict[str, Any],
    complete: Callable[..., m.Project],
    name: str,
    expected: int,
) -> None:
    complete("medium")
    url = reverse("api:reward-entry-reverse", args=[student_award(world).pk])
    response = api_for(people[name]).post(url, {"reason": "Mistake."}, format="json")
    expected_api = 401 if name == "anonymous" else {302: 201, 404: 404, 403: 403}[expected]
    assert response.status_code == expected_api
    if response.status_code == 201:
        assert response.json()["points"] == "-3.00"
        assert response.json()["reverses"] == student_award(world).pk


def test_api_reverse_errors_are_400_with_field_errors(
    world: Cast, complete: Callable[..., m.Project]
) -> None:
    complete("medium")
    api = api_for(world.program_admin)
    url = reverse("api:reward-entry-reverse", args=[student_award(world).pk])
    response = api.post(url, {}, format="json")
    assert response.status_code == 400
    assert "reason" in response.json()
    assert api.post(url, {"reason": "Mistake."}, format="json").status_code == 201
    again = api.post(url, {"reason": "Again."}, format="json")
    assert again.status_code == 400
    assert "entry" in again.json()


def test_api_filters_and_totals(world: Cast, complete: Callable[..., m.Project]) -> None:
    complete("medium")
    complete("small", members=[world.student.user])
    api = api_for(world.program_admin)
    listed = api.get(reverse("api:reward-entry-list"), {"user": world.student.user.pk})
    assert len(listed.json()["results"]) == 2
    listed = api.get(reverse("api:reward-entry-list"), {"year": TODAY.year - 1})
    assert listed.json()["results"] == []
    totals = api.get(reverse("api:reward-entry-totals"), {"kind": "person"}).json()
    assert {row["name"]: row["points"] for row in totals} == {
        "Stan Student": "4.00",
        "Tom Tutor": "3.00",
    }
    board = api.get(reverse("api:reward-entry-leaderboard"), {"kind": "organisation"}).json()
    assert [(row["rank"], row["points"]) for row in board["results"]] == [
        (1, "4.00"),
        (1, "4.00"),
    ]
    bad = api.get(reverse("api:reward-entry-totals"), {"kind": "team"})
    assert bad.status_code == 400
    assert "kind" in bad.json()


# ---- Query counts --------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["program_admin", "outsider"])
@pytest.mark.parametrize(
    "url_name",
    ["ledger:entry-list", "ledger:leaderboard", "api:reward-entry-list", "api:reward-entry-totals"],
)
def test_ledger_lists_query_counts_stay_flat(
    world: Cast,
    people: dict[str, Any],
    complete: Callable[..., m.Project],
    url_name: str,
    name: str,
) -> None:
    complete("medium")
    user = people[name]
    client = api_for(user) if url_name.startswith("api") else client_for(user)
    url = reverse(url_name)

    def grow() -> None:
        for _ in range(4):
            project = complete("small")
            services.reverse_entry(
                user=world.program_admin,
                entry=project.reward_entries.get(user=world.student.user),
                reason="Mistake.",
            )

    assert_flat_queries(lambda: client.get(url), grow, max_queries=12)


def test_entry_page_query_count(world: Cast, complete: Callable[..., m.Project]) -> None:
    complete("medium")
    client = client_for(world.program_admin)
    award = student_award(world)
    services.reverse_entry(user=world.program_admin, entry=award, reason="Mistake.")
    reversal = award.reversed_by  # type: ignore[attr-defined]
    for entry in (award, reversal):
        assert_flat_queries(
            lambda e=entry: client.get(reverse("ledger:entry-detail", args=[e.pk])),
            lambda: None,
            max_queries=8,
        )
        api = api_for(world.program_admin)
        assert_flat_queries(
            lambda e=entry, a=api: a.get(reverse("api:reward-entry-detail", args=[e.pk])),
            lambda: None,
            max_queries=6,
        )


# ---- Demo ----------------------------------------------------------------------------------


def test_the_demo_awards_completed_projects_and_reverses_one_once(world: Cast) -> None:
    from evaluation.ledger.demo import seed_ledger_demo

    written = seed_ledger_demo(world.program)
    # Two small projects, each: two students and the lead university; one reversal.
    assert written == 7
    reversal = RewardEntry.objects.get(kind="reversal")
    assert reversal.created_by == world.program_admin
    assert reversal.points == Decimal(-1)
    assert seed_ledger_demo(world.program) == 0
    assert RewardEntry.objects.count() == 7
