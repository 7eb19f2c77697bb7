"""Anonymity: nothing links an anonymous answer to its author, through the models, the pages,
the API or the admin; the aggregates of an anonymous source show from
`EVALUATION_MIN_ANONYMOUS` (5) answers on, comments only to the program's administrators.

In these stories Tom supervises Stan and four more students, who all answer about him.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.contrib import admin as django_admin
from django.db import models

from evaluation.evaluations import services
from evaluation.models import AnonymousAnswer, EvaluationRequest, EvaluationRound, Source
from programs import models as m
from tests.clients import api_for, client_for
from tests.factories import UserFactory
from training_portal.core.history import is_tracked

from .conftest import TODAY, World, full_scores, more_students_of, opened

pytestmark = pytest.mark.django_db

NOT_ENOUGH = "Not enough answers (fewer than 5)"


def answer_about_tom(world: World, round_: EvaluationRound, count: int) -> list[Any]:
    """Tom's students answer about him until `count` have, each with a distinct comment."""
    about_tom = EvaluationRequest.objects.filter(
        round=round_, source=Source.STUDENT_ON_TUTOR, tutor=world.tutor
    ).select_related("evaluator")
    done = about_tom.filter(status=EvaluationRequest.Status.SUBMITTED).count()
    requests = list(about_tom.pending().order_by("pk")[: count - done])
    for index, request in enumerate(requests, start=done):
        services.submit_evaluation(
            user=request.evaluator,
            request=request,
            scores=full_scores(world, (1 + index % 5, 3, 2 * index)),
            comment=f"comment-{'edcbafghij'[index]}",
        )
    return requests


@pytest.fixture
def crowd(world: World) -> EvaluationRound:
    """Five students of Tom (Stan and four more), a round of students on their tutors."""
    more_students_of(world, world.tutor, 4)
    return opened(world, sources=[Source.STUDENT_ON_TUTOR])


# ---- The models ----------------------------------------------------------------------------


def test_the_request_has_no_link_to_the_answer() -> None:
    for field in EvaluationRequest._meta.get_fields():
        assert getattr(field, "related_model", None) is not AnonymousAnswer, field


def test_the_answer_has_no_author_timestamp_or_sequential_id() -> None:
    fields = AnonymousAnswer._meta.get_fields()
    from accounts.models import User

    assert not [f for f in fields if getattr(f, "related_model", None) is User]
    assert not [f for f in fields if isinstance(f, models.DateField | models.DateTimeField)]
    assert isinstance(AnonymousAnswer._meta.pk, models.UUIDField)
    assert {f.name for f in fields if f.is_relation} == {
        "round",
        "student",
        "tutor",
        "placement",
        "organization",
    }
    assert not is_tracked(AnonymousAnswer)


def test_answers_are_not_in_the_admin() -> None:
    assert AnonymousAnswer not in django_admin.site._registry
    assert EvaluationRequest in django_admin.site._registry


def test_an_answer_stores_neither_the_student_nor_the_placement(world: World) -> None:
    round_ = opened(world)
    for request in EvaluationRequest.objects.filter(
        round=round_,
        evaluator=world.student.user,
        source__in=[Source.STUDENT_ON_TUTOR, Source.STUDENT_ON_PLACEMENT],
    ):
        services.submit_evaluation(
            user=world.student.user, request=request, scores=full_scores(world)
        )
    assert AnonymousAnswer.objects.count() == 3
    assert not AnonymousAnswer.objects.filter(student__isnull=False).exists()
    assert not AnonymousAnswer.objects.filter(placement__isnull=False).exists()


# ---- The aggregates ------------------------------------------------------------------------


def group_about_tom(world: World, round_: EvaluationRound, user: Any) -> Any:
    results = services.round_results(user=user, round_=round_)
    return next(g for g in results.anonymous if g.subject_id == world.tutor.pk)


def test_below_five_answers_the_aggregate_is_hidden(world: World, crowd: EvaluationRound) -> None:
    answer_about_tom(world, crowd, 4)
    group = group_about_tom(world, crowd, world.program_admin)
    assert (group.shown, group.count, group.mean_total, group.comments) == (
        False,
        None,
        None,
        None,
    )
    assert all(mean.mean is None for mean in group.means)
    page = client_for(world.program_admin).get(f"/evaluation/rounds/{crowd.pk}/results/")
    assert NOT_ENOUGH in page.content.decode()
    assert "comment-" not in page.content.decode()


AWAITING = "The averages are shown once the round is closed."


def test_from_five_answers_the_aggregate_shows_once_the_round_is_closed(
    world: World, crowd: EvaluationRound
) -> None:
    answer_about_tom(world, crowd, 5)
    group = group_about_tom(world, crowd, world.program_admin)
    # Open: the number of answers, not yet their averages or comments.
    assert (group.count, group.shown, group.awaiting_close) == (5, False, True)
    assert group.mean_total is None and group.comments is None
    assert all(mean.mean is None for mean in group.means)
    page = client_for(world.program_admin).get(f"/evaluation/rounds/{crowd.pk}/results/")
    assert AWAITING in page.content.decode() and "comment-" not in page.content.decode()
    services.close_round(user=world.program_admin, round_=crowd)
    group = group_about_tom(world, crowd, world.program_admin)
    assert group.count == 5 and group.shown and not group.awaiting_close
    totals = list(AnonymousAnswer.objects.values_list("total", flat=True))
    assert group.mean_total == (sum(totals) / 5).quantize(Decimal("0.01"))
    assert group.means[0].mean == Decimal("3.00")  # 1, 2, 3, 4, 5
    # Sorted by text, not by the order of answering.
    assert group.comments == [f"comment-{c}" for c in "abcde"]
    page = client_for(world.program_admin).get(f"/evaluation/rounds/{crowd.pk}/results/")
    assert NOT_ENOUGH not in page.content.decode()
    assert "comment-a" in page.content.decode()


def test_one_more_answer_in_an_open_round_gives_nothing_away(
    world: World, crowd: EvaluationRound
) -> None:
    """Averages read before and after the sixth answer would be that answer; the receipts
    say whose it is. Nothing but the count changes while the round is open, on the page
    and in the API."""
    more_students_of(world, world.tutor, 1)
    sixth = opened(world, title="Autumn", sources=[Source.STUDENT_ON_TUTOR])
    answer_about_tom(world, sixth, 5)
    api = api_for(world.program_admin)
    url = f"/api/v1/evaluation-rounds/{sixth.pk}/results/"
    before = api.get(url).json()["anonymous"]
    answer_about_tom(world, sixth, 6)
    after = api.get(url).json()["anonymous"]
    assert [g["count"] for g in before] == [5] and [g["count"] for g in after] == [6]
    for groups in (before, after):
        [group] = groups
        assert group["awaiting_close"] and not group["shown"]
        assert group["mean_total"] is None and group["comments"] is None
        assert all(mean["mean"] is None for mean in group["means"])


def test_the_tutor_sees_their_aggregate_from_five_without_comments(
    world: World, crowd: EvaluationRound
) -> None:
    answer_about_tom(world, crowd, 4)
    assert not group_about_tom(world, crowd, world.tutor.user).shown
    answer_about_tom(world, crowd, 5)
    group = group_about_tom(world, crowd, world.tutor.user)
    assert group.count == 5 and group.comments is None
    page = client_for(world.tutor.user).get(f"/evaluation/rounds/{crowd.pk}/results/")
    assert "comment-" not in page.content.decode()


@pytest.mark.parametrize(
    "role", ["other_tutor", "practice_tutor", "student", "other_student", "coordinator"]
)
def test_others_do_not_see_the_aggregate_about_tom(
    world: World, crowd: EvaluationRound, role: str
) -> None:
    answer_about_tom(world, crowd, 5)
    results = services.round_results(user=world.person(role), round_=crowd)
    assert results.anonymous == []


def test_the_coordinator_sees_the_aggregate_about_their_organisation(world: World) -> None:
    for student in more_students_of(world, world.practice_tutor, 4):
        m.Placement.objects.create(
            student=student,
            host=world.hospital,
            start_date=TODAY - dt.timedelta(days=30),
            end_date=TODAY,
            objectives="x",
        )
    round_ = opened(world, sources=[Source.STUDENT_ON_PLACEMENT])
    requests = list(EvaluationRequest.objects.filter(round=round_).select_related("evaluator"))
    assert len(requests) == 5
    for request in requests:
        services.submit_evaluation(
            user=request.evaluator, request=request, scores=full_scores(world)
        )
    results = services.round_results(user=world.coordinator, round_=round_)
    [group] = results.anonymous
    assert (group.label, group.count, group.comments) == (str(world.hospital), 5, None)
    assert services.round_results(user=world.other_coordinator, round_=round_).anonymous == []


# ---- No path from an answer to its author --------------------------------------------------


def test_no_page_or_endpoint_links_an_answer_to_its_author(
    world: World, crowd: EvaluationRound
) -> None:
    requests = answer_about_tom(world, crowd, 5)
    services.close_round(user=world.program_admin, round_=crowd)  # the aggregates show
    names = [str(r.evaluator) for r in requests] + [r.evaluator.email for r in requests]
    for user in (world.admin, world.program_admin, world.tutor.user):
        client = client_for(user)
        for url in (
            f"/evaluation/rounds/{crowd.pk}/results/",
            f"/evaluation/rounds/{crowd.pk}/results/tutor/{world.tutor.pk}/",
        ):
            text = client.get(url).content.decode()
            assert not [name for name in names if name in text], url
        api = api_for(user)
        for url in (
            f"/api/v1/evaluation-rounds/{crowd.pk}/results/",
            "/api/v1/evaluations/",
        ):
            text = api.get(url).content.decode()
            assert not [name for name in names if name in text], url
    # The receipts (requests) say who answered, never what.
    receipts = api_for(world.program_admin).get(f"/api/v1/evaluation-requests/?round={crowd.pk}")
    text = receipts.content.decode()
    assert "comment-" not in text and "total" not in text and "scores" not in text
    superuser = UserFactory(is_staff=True, is_superuser=True)
    detail = client_for(superuser).get(
        f"/admin/evaluation/evaluationrequest/{requests[0].pk}/change/"
    )
    assert detail.status_code == 200 and "comment-" not in detail.content.decode()
    assert client_for(superuser).get("/admin/evaluation/anonymousanswer/").status_code == 404


def test_submitting_anonymously_through_the_api_answers_only_submitted(
    world: World, crowd: EvaluationRound
) -> None:
    request = EvaluationRequest.objects.get(
        round=crowd, evaluator=world.student.user, tutor=world.tutor
    )
    response = api_for(world.student.user).post(
        "/api/v1/evaluations/",
        {"request": request.pk, "scores": full_scores(world), "comment": "secret words"},
        format="json",
    )
    assert response.status_code == 201
    assert response.json() == {"status": "submitted"}
    mine = api_for(world.student.user).get("/api/v1/evaluations/").json()
    assert mine["count"] == 0
