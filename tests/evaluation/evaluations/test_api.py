"""The evaluations API for every role of the cast: indicators (read; replace the set),
rounds (read, open, close, results), named evaluations (read; submit), what one owes; 400
with field errors, never a 500; query counts flat as data grows."""

from __future__ import annotations

from typing import Any

import pytest

from evaluation.evaluations import services
from evaluation.models import EvaluationRequest, EvaluationRound, Indicator, Source
from tests.cast import matrix
from tests.clients import api_for
from tests.evaluation.conftest import ROLES
from tests.queries import assert_flat_queries

from .conftest import DEADLINE, PERIOD, World, full_scores, more_students_of, opened

pytestmark = pytest.mark.django_db


ADMINISTER = matrix(
    ROLES,
    admin=200,
    program_admin=200,
    coordinator=403,
    other_coordinator=404,
    tutor=403,
    practice_tutor=403,
    other_tutor=403,
    student=403,
    other_student=403,
    outsider=404,
    anonymous=401,
)


def given(world: World) -> EvaluationRound:
    """Tom, Cora and Stan (on himself) evaluated Stan; Otis evaluated Olga."""
    round_ = opened(world)
    for source, evaluator in (
        (Source.TUTOR, world.tutor.user),
        (Source.TUTOR, world.other_tutor.user),
        (Source.COORDINATOR, world.coordinator),
        (Source.SELF, world.student.user),
    ):
        request = EvaluationRequest.objects.get(round=round_, source=source, evaluator=evaluator)
        services.submit_evaluation(user=evaluator, request=request, scores=full_scores(world))
    return round_


# ---- Indicators ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "count"),
    matrix(
        ROLES,
        admin=3,
        program_admin=3,
        coordinator=3,
        other_coordinator=0,
        tutor=3,
        practice_tutor=3,
        other_tutor=3,
        student=3,
        other_student=3,
        outsider=0,
        anonymous=401,
    ),
)
def test_who_reads_the_indicators(world: World, role: str, count: int) -> None:
    response = api_for(world.person(role)).get(f"/api/v1/indicators/?program={world.program.pk}")
    if count == 401:
        assert response.status_code == 401
        return
    assert response.status_code == 200
    assert response.json()["count"] == count


def set_body(world: World, weights: tuple[str, str, str]) -> dict[str, Any]:
    return {
        "indicators": [
            {
                "id": i.pk,
                "category": i.category,
                "name": i.name,
                "weight": weight,
                "scale_min": i.scale_min,
                "scale_max": i.scale_max,
            }
            for i, weight in zip(world.indicators, weights, strict=True)
        ]
    }


@pytest.mark.parametrize(("role", "code"), ADMINISTER)
def test_who_replaces_the_indicators(world: World, role: str, code: int) -> None:
    response = api_for(world.person(role)).put(
        f"/api/v1/indicators/set/?program={world.program.pk}",
        set_body(world, ("40.00", "40.00", "20.00")),
        format="json",
    )
    assert response.status_code == code
    assert (Indicator.objects.filter(weight="40.00").count() == 2) == (code == 200)
    if code == 200:
        assert [row["weight"] for row in response.json()] == ["40.00", "40.00", "20.00"]


def test_a_bad_set_is_a_400_with_field_errors(world: World) -> None:
    api = api_for(world.program_admin)
    url = f"/api/v1/indicators/set/?program={world.program.pk}"
    response = api.put(url, set_body(world, ("40.00", "40.00", "10.00")), format="json")
    assert response.status_code == 400
    assert "100" in response.json()["non_field_errors"][0]
    body = set_body(world, ("50.00", "30.00", "20.00"))
    body["indicators"][1]["name"] = "Practice ability"
    response = api.put(url, body, format="json")
    assert response.status_code == 400
    assert "name" in response.json()["indicators"][1]
    assert api.put("/api/v1/indicators/set/?program=x", body, format="json").status_code == 400


def test_the_indicator_list_has_flat_queries(world: World) -> None:
    api = api_for(world.tutor.user)

    def grow() -> None:
        for index in range(5):
            Indicator.objects.create(
                program=world.program, category="other", name=f"More {index}", weight="1.00"
            )

    assert_flat_queries(lambda: api.get("/api/v1/indicators/"), grow, max_queries=10)


# ---- Rounds --------------------------------------------------------------------------------


def round_body(world: World) -> dict[str, Any]:
    return {
        "program": world.program.pk,
        "title": "Autumn",
        "period_start": PERIOD[0].isoformat(),
        "period_end": PERIOD[1].isoformat(),
        "deadline": DEADLINE.isoformat(),
        "sources": [Source.SELF, Source.STUDENT_ON_TUTOR],
    }


@pytest.mark.parametrize(("role", "code"), ADMINISTER)
def test_who_opens_a_round(world: World, role: str, code: int) -> None:
    response = api_for(world.person(role)).post(
        "/api/v1/evaluation-rounds/", round_body(world), format="json"
    )
    assert response.status_code == (201 if code == 200 else code)
    if code == 200:
        assert response.json()["sources"] == [Source.SELF, Source.STUDENT_ON_TUTOR]
        assert EvaluationRequest.objects.filter(round_id=response.json()["id"]).count() == 5


def test_a_bad_round_is_a_400_with_field_errors(world: World) -> None:
    body = {**round_body(world), "deadline": "2000-01-01", "sources": ["nobody"]}
    response = api_for(world.program_admin).post("/api/v1/evaluation-rounds/", body, format="json")
    assert response.status_code == 400
    assert "sources" in response.json()
    body = {**round_body(world), "deadline": "2000-01-01"}
    response = api_for(world.program_admin).post("/api/v1/evaluation-rounds/", body, format="json")
    assert response.status_code == 400
    assert "deadline" in response.json()
    assert not EvaluationRound.objects.exists()


@pytest.mark.parametrize(
    ("role", "seen"),
    matrix(
        ROLES,
        admin=True,
        program_admin=True,
        coordinator=True,
        other_coordinator=False,
        tutor=True,
        practice_tutor=True,
        other_tutor=True,
        student=True,
        other_student=True,
        outsider=False,
        anonymous=None,
    ),
)
def test_who_sees_rounds_and_results(world: World, role: str, seen: bool | None) -> None:
    round_ = given(world)
    api = api_for(world.person(role))
    listed = api.get("/api/v1/evaluation-rounds/")
    if seen is None:
        assert listed.status_code == 401
        return
    assert listed.json()["count"] == int(seen)
    detail = api.get(f"/api/v1/evaluation-rounds/{round_.pk}/")
    assert detail.status_code == (200 if seen else 404)
    results = api.get(f"/api/v1/evaluation-rounds/{round_.pk}/results/")
    assert results.status_code == (200 if seen else 404)


@pytest.mark.parametrize(("role", "code"), ADMINISTER)
def test_who_closes_a_round(world: World, role: str, code: int) -> None:
    round_ = opened(world)
    response = api_for(world.person(role)).post(f"/api/v1/evaluation-rounds/{round_.pk}/close/")
    assert response.status_code == code
    round_.refresh_from_db()
    assert (round_.status == "closed") == (code == 200)
    if code == 200:
        again = api_for(world.person(role)).post(f"/api/v1/evaluation-rounds/{round_.pk}/close/")
        assert again.status_code == 400


def test_results_average_named_evaluations_per_source(world: World) -> None:
    round_ = given(world)
    data = api_for(world.program_admin).get(f"/api/v1/evaluation-rounds/{round_.pk}/results/")
    by_source = {row["source"]: row for row in data.json()["by_source"]}
    assert by_source[Source.TUTOR]["count"] == 2
    assert by_source[Source.TUTOR]["mean_total"] == "68.50"
    assert [m["mean"] for m in by_source[Source.TUTOR]["means"]] == ["4.00", "3.00", "8.00"]
    assert {row["subject_id"] for row in data.json()["by_subject"]} == {
        world.student.pk,
        world.other_student.pk,
    }


def test_round_endpoints_have_flat_queries(world: World) -> None:
    round_ = given(world)
    api = api_for(world.program_admin)

    def grow() -> None:
        more_students_of(world, world.tutor, 3)
        new = opened(world, title="Another")
        for request in EvaluationRequest.objects.filter(
            round__in=[round_, new],
            source__in=[Source.TUTOR, Source.SELF, Source.STUDENT_ON_TUTOR],
            status=EvaluationRequest.Status.PENDING,
        ).select_related("evaluator"):
            services.submit_evaluation(
                user=request.evaluator, request=request, scores=full_scores(world)
            )

    for url in (
        "/api/v1/evaluation-rounds/",
        f"/api/v1/evaluation-rounds/{round_.pk}/",
        f"/api/v1/evaluation-rounds/{round_.pk}/results/",
        "/api/v1/evaluations/",
        "/api/v1/evaluation-requests/",
        "/api/v1/evaluation-requests/mine/",
    ):
        assert_flat_queries(lambda url=url: api.get(url), grow, max_queries=15)


# ---- Evaluations ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "count"),
    matrix(
        ROLES,
        admin=4,
        program_admin=4,
        coordinator=3,
        other_coordinator=0,
        tutor=3,
        practice_tutor=3,
        other_tutor=1,
        student=1,
        other_student=0,
        outsider=0,
        anonymous=None,
    ),
)
def test_who_reads_named_evaluations(world: World, role: str, count: int | None) -> None:
    given(world)
    response = api_for(world.person(role)).get("/api/v1/evaluations/")
    if count is None:
        assert response.status_code == 401
        return
    assert response.json()["count"] == count


def test_students_read_what_their_tutors_said_once_the_round_is_closed(world: World) -> None:
    round_ = given(world)
    api = api_for(world.student.user)
    assert {row["source"] for row in api.get("/api/v1/evaluations/").json()["results"]} == {
        Source.SELF
    }
    services.close_round(user=world.program_admin, round_=round_)
    assert {row["source"] for row in api.get("/api/v1/evaluations/").json()["results"]} == {
        Source.SELF,
        Source.TUTOR,
    }


def test_submitting_a_named_evaluation(world: World) -> None:
    round_ = opened(world)
    request = EvaluationRequest.objects.get(round=round_, evaluator=world.coordinator)
    api = api_for(world.coordinator)
    bad = api.post(
        "/api/v1/evaluations/",
        {"request": request.pk, "scores": {str(world.indicators[0].pk): 9}},
        format="json",
    )
    assert bad.status_code == 400
    assert f"score_{world.indicators[0].pk}" in bad.json()
    response = api.post(
        "/api/v1/evaluations/",
        {"request": request.pk, "scores": full_scores(world), "comment": "Reliable."},
        format="json",
    )
    assert response.status_code == 201
    assert (response.json()["total"], response.json()["subject"]) == ("68.50", str(world.student))
    assert (
        api.post(
            "/api/v1/evaluations/",
            {"request": request.pk, "scores": full_scores(world)},
            format="json",
        ).status_code
        == 400
    )


@pytest.mark.parametrize(
    ("role", "code"),
    matrix(
        ROLES,
        admin=403,
        program_admin=403,
        coordinator=404,
        other_coordinator=404,
        tutor=201,
        practice_tutor=404,
        other_tutor=404,
        student=404,
        other_student=404,
        outsider=404,
        anonymous=401,
    ),
)
def test_only_the_evaluator_submits(world: World, role: str, code: int) -> None:
    round_ = opened(world)
    request = EvaluationRequest.objects.get(
        round=round_, source=Source.TUTOR, evaluator=world.tutor.user
    )
    response = api_for(world.person(role)).post(
        "/api/v1/evaluations/",
        {"request": request.pk, "scores": full_scores(world)},
        format="json",
    )
    assert response.status_code == code


@pytest.mark.parametrize(
    ("role", "count"),
    matrix(
        ROLES,
        admin=11,
        program_admin=11,
        coordinator=1,
        other_coordinator=0,
        tutor=1,
        practice_tutor=1,
        other_tutor=1,
        student=4,
        other_student=2,
        outsider=0,
        anonymous=None,
    ),
)
def test_who_reads_what_is_owed(world: World, role: str, count: int | None) -> None:
    opened(world)
    api = api_for(world.person(role))
    response = api.get("/api/v1/evaluation-requests/")
    if count is None:
        assert response.status_code == 401
        return
    assert response.json()["count"] == count
    mine = api.get("/api/v1/evaluation-requests/mine/").json()
    own = EvaluationRequest.objects.filter(evaluator=world.person(role)).count()
    assert mine["count"] == own


@pytest.mark.parametrize(
    ("role", "code"),
    matrix(
        ROLES,
        admin=200,
        program_admin=200,
        coordinator=200,
        other_coordinator=404,
        tutor=200,
        practice_tutor=200,
        other_tutor=404,
        student=404,
        other_student=404,
        outsider=404,
        anonymous=401,
    ),
)
def test_who_reads_one_evaluation(world: World, role: str, code: int) -> None:
    round_ = given(world)
    evaluation = round_.evaluations.get(source=Source.TUTOR, evaluator=world.tutor.user)
    response = api_for(world.person(role)).get(f"/api/v1/evaluations/{evaluation.pk}/")
    assert response.status_code == code
    if code == 200:
        assert [s["value"] for s in response.json()["scores"]] == [4, 3, 8]


@pytest.mark.parametrize(
    ("role", "code"),
    matrix(
        ROLES,
        admin=200,
        program_admin=200,
        coordinator=200,
        other_coordinator=404,
        tutor=200,
        practice_tutor=200,
        other_tutor=200,
        student=200,
        other_student=200,
        outsider=404,
        anonymous=401,
    ),
)
def test_who_reads_one_indicator(world: World, role: str, code: int) -> None:
    indicator = world.indicators[0]
    response = api_for(world.person(role)).get(f"/api/v1/indicators/{indicator.pk}/")
    assert response.status_code == code


@pytest.mark.parametrize(
    ("role", "code"),
    matrix(
        ROLES,
        admin=200,
        program_admin=200,
        coordinator=404,
        other_coordinator=404,
        tutor=404,
        practice_tutor=404,
        other_tutor=404,
        student=200,
        other_student=404,
        outsider=404,
        anonymous=401,
    ),
)
def test_who_reads_one_receipt(world: World, role: str, code: int) -> None:
    round_ = opened(world)
    request = EvaluationRequest.objects.get(
        round=round_, evaluator=world.student.user, tutor=world.tutor
    )
    response = api_for(world.person(role)).get(f"/api/v1/evaluation-requests/{request.pk}/")
    assert response.status_code == code
