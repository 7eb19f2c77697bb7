"""Indicators (weights, names, objectives, scales; all or nothing), opening rounds (what each
source is asked), submitting (who, when, what), closing, the notices and the reminders."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.utils import timezone

from evaluation.evaluations import services
from evaluation.models import (
    AnonymousAnswer,
    Evaluation,
    EvaluationRequest,
    EvaluationRound,
    Indicator,
    Score,
    Source,
    SubjectKind,
)
from programs import models as m
from tests.programs.factories import ProgramFactory, StudentFactory
from training_portal.core.models import Notification

from .conftest import DEADLINE, TODAY, World, full_scores, opened, owed

pytestmark = pytest.mark.django_db


def rows_of(world: World, **changes: Any) -> list[dict[str, Any]]:
    rows = [
        {
            "id": i.pk,
            "category": i.category,
            "objective": None,
            "name": i.name,
            "description": "",
            "weight": i.weight,
            "scale_min": i.scale_min,
            "scale_max": i.scale_max,
        }
        for i in world.indicators
    ]
    for index, fields in changes.items():
        rows[int(index.removeprefix("row"))].update(fields)
    return rows


def save(world: World, rows: list[dict[str, Any]], user: Any = None) -> list[Indicator]:
    return services.save_indicators(
        user=user or world.program_admin, program=world.program, rows=rows
    )


def errors_of(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict


# ---- Indicators ----------------------------------------------------------------------------


def test_weights_must_add_up_to_exactly_100(world: World) -> None:
    with pytest.raises(ValidationError) as exc:
        save(world, rows_of(world, row0={"weight": Decimal("49.99")}))
    assert "99.99" in " ".join(errors_of(exc)[NON_FIELD_ERRORS])
    assert Indicator.objects.get(pk=world.indicators[0].pk).weight == Decimal("50.00")


def test_weights_adding_up_to_100_with_decimals_are_saved(world: World) -> None:
    rows = rows_of(world, row0={"weight": "33.34"}, row1={"weight": "33.33"})
    rows[2]["weight"] = "33.33"
    saved = save(world, rows)
    assert [i.weight for i in saved] == [Decimal("33.34"), Decimal("33.33"), Decimal("33.33")]


def test_a_weight_of_zero_or_more_than_two_decimals_is_a_field_error(world: World) -> None:
    with pytest.raises(ValidationError) as exc:
        save(world, rows_of(world, row0={"weight": "0"}, row1={"weight": "80.001"}))
    assert set(errors_of(exc)) >= {"0.weight", "1.weight"}


def test_names_are_unique_in_the_set(world: World) -> None:
    with pytest.raises(ValidationError) as exc:
        save(world, rows_of(world, row1={"name": "practice ABILITY"}))
    assert "1.name" in errors_of(exc)


def test_an_objective_of_another_program_is_refused(world: World) -> None:
    other = ProgramFactory()
    foreign = m.TrainingObjective.objects.create(
        program=other, order=1, title="Other", description="x"
    )
    with pytest.raises(ValidationError) as exc:
        save(world, rows_of(world, row0={"objective": foreign.pk}))
    assert "0.objective" in errors_of(exc)


def test_an_objective_of_the_program_is_kept(world: World) -> None:
    own = m.TrainingObjective.objects.create(
        program=world.program, order=1, title="Own", description="x"
    )
    saved = save(world, rows_of(world, row0={"objective": own.pk}))
    assert saved[0].objective == own


def test_a_scale_must_rise(world: World) -> None:
    with pytest.raises(ValidationError) as exc:
        save(world, rows_of(world, row0={"scale_min": 5, "scale_max": 5}))
    assert "0.scale_max" in errors_of(exc)


def test_the_set_is_saved_all_or_nothing(world: World) -> None:
    rows = rows_of(world, row0={"name": "Renamed"}, row2={"category": "nonsense"})
    with pytest.raises(ValidationError):
        save(world, rows)
    assert Indicator.objects.filter(name="Renamed").count() == 0


def test_names_can_be_swapped(world: World) -> None:
    first, second = world.indicators[0].name, world.indicators[1].name
    saved = save(world, rows_of(world, row0={"name": second}, row1={"name": first}))
    assert [i.name for i in saved][:2] == [second, first]


def test_removing_and_adding_replace_the_set(world: World) -> None:
    rows = rows_of(world)[:2]
    rows[1]["weight"] = "30.00"
    rows.append({"category": "other", "name": "Teamwork", "weight": "20.00"})
    saved = save(world, rows)
    assert [i.name for i in saved] == ["Practice ability", "Research output", "Teamwork"]
    assert not Indicator.objects.filter(pk=world.indicators[2].pk).exists()


def test_an_indicator_already_scored_cannot_be_removed(world: World) -> None:
    round_ = opened(world)
    request = owed(round_, Source.TUTOR, world.tutor.user)
    services.submit_evaluation(user=world.tutor.user, request=request, scores=full_scores(world))
    rows = rows_of(world)[:2]
    rows[1]["weight"] = "50.00"
    with pytest.raises(ValidationError) as exc:
        save(world, rows)
    assert "Supervision quality" in " ".join(errors_of(exc)[NON_FIELD_ERRORS])


def test_an_indicator_scored_anonymously_cannot_be_rescaled(world: World) -> None:
    round_ = opened(world)
    request = owed(round_, Source.STUDENT_ON_TUTOR, world.student.user, tutor=world.tutor)
    services.submit_evaluation(user=world.student.user, request=request, scores=full_scores(world))
    with pytest.raises(ValidationError) as exc:
        save(world, rows_of(world, row0={"scale_max": 7}))
    assert "0.scale_max" in errors_of(exc)


def test_an_indicator_of_another_program_cannot_be_taken_over(world: World) -> None:
    other = Indicator.objects.create(
        program=ProgramFactory(), category="other", name="Foreign", weight=Decimal(100)
    )
    rows = rows_of(world)
    rows[0]["id"] = other.pk
    with pytest.raises(ValidationError) as exc:
        save(world, rows)
    assert f"0.{NON_FIELD_ERRORS}" in errors_of(exc)


@pytest.mark.parametrize("role", ["tutor", "coordinator", "student", "outsider"])
def test_only_program_administrators_edit_indicators(world: World, role: str) -> None:
    with pytest.raises(PermissionDenied):
        save(world, rows_of(world), user=world.person(role))


def test_a_portal_administrator_edits_indicators(world: World) -> None:
    assert len(save(world, rows_of(world), user=world.admin)) == 3


# ---- Rounds --------------------------------------------------------------------------------


def requests_of(round_: EvaluationRound) -> set[tuple[str, int, str, Any]]:
    rows = EvaluationRequest.objects.filter(round=round_)
    found = set()
    for r in rows:
        subject = r.student_id or r.tutor_id or r.placement_id or r.organization_id
        found.add((r.source, r.evaluator_id, r.subject_kind, subject))
    return found


def test_opening_a_round_asks_each_source_of_its_evaluations(world: World) -> None:
    round_ = opened(world)
    stan, olga = world.student, world.other_student
    assert requests_of(round_) == {
        (Source.TUTOR, world.tutor.user.pk, SubjectKind.STUDENT, stan.pk),
        (Source.TUTOR, world.other_tutor.user.pk, SubjectKind.STUDENT, olga.pk),
        (Source.PRACTICE_TUTOR, world.practice_tutor.user.pk, SubjectKind.STUDENT, stan.pk),
        (Source.COORDINATOR, world.coordinator.pk, SubjectKind.STUDENT, stan.pk),
        (Source.SELF, stan.user.pk, SubjectKind.STUDENT, stan.pk),
        (Source.SELF, olga.user.pk, SubjectKind.STUDENT, olga.pk),
        (Source.STUDENT_ON_TUTOR, stan.user.pk, SubjectKind.TUTOR, world.tutor.pk),
        (Source.STUDENT_ON_TUTOR, stan.user.pk, SubjectKind.TUTOR, world.practice_tutor.pk),
        (Source.STUDENT_ON_TUTOR, olga.user.pk, SubjectKind.TUTOR, world.other_tutor.pk),
        (Source.STUDENT_ON_PLACEMENT, stan.user.pk, SubjectKind.PLACEMENT, world.placement.pk),
        (Source.INSPECTOR, world.inspector.pk, SubjectKind.PROGRAM, None),
    }
    assert round_.sources == list(Source.values)


@pytest.mark.parametrize(
    ("source", "count"),
    [
        (Source.TUTOR, 2),
        (Source.PRACTICE_TUTOR, 1),
        (Source.COORDINATOR, 1),
        (Source.SELF, 2),
        (Source.STUDENT_ON_TUTOR, 3),
        (Source.STUDENT_ON_PLACEMENT, 1),
        (Source.INSPECTOR, 1),
    ],
)
def test_a_round_asks_only_its_sources(world: World, source: str, count: int) -> None:
    round_ = opened(world, sources=[source])
    assert set(round_.requests.values_list("source", flat=True)) == {source}
    assert round_.requests.count() == count


def test_ended_assignments_other_periods_and_inactive_people_are_not_asked(world: World) -> None:
    m.TutorAssignment.objects.filter(tutor=world.other_tutor).update(ended_on=TODAY)
    m.Placement.objects.filter(pk=world.placement.pk).update(
        start_date=dt.date(TODAY.year - 2, 1, 1), end_date=dt.date(TODAY.year - 2, 6, 30)
    )
    world.student.user.is_active = False
    world.student.user.save()
    round_ = opened(world)
    sources = list(round_.requests.values_list("source", "evaluator_id"))
    assert (Source.TUTOR, world.other_tutor.user.pk) not in sources
    assert not round_.requests.filter(source=Source.COORDINATOR).exists()
    assert not round_.requests.filter(evaluator=world.student.user).exists()
    assert round_.requests.filter(evaluator=world.other_student.user, source=Source.SELF).exists()


def test_a_withdrawn_student_is_not_asked(world: World) -> None:
    m.Student.objects.filter(pk=world.other_student.pk).update(status=m.Student.Status.WITHDRAWN)
    round_ = opened(world)
    assert not round_.requests.filter(evaluator=world.other_student.user).exists()
    assert not round_.requests.filter(student=world.other_student).exists()


def test_without_an_assigned_inspector_the_inspector_source_asks_nobody(world: World) -> None:
    world.inspector.inspection_assignments.update(revoked_at=timezone.now())
    assert opened(world, sources=[Source.INSPECTOR]).requests.count() == 0


def test_opening_needs_the_indicators_and_sane_dates(world: World) -> None:
    with pytest.raises(ValidationError) as exc:
        opened(
            world,
            title=" ",
            period_start=TODAY,
            period_end=TODAY - dt.timedelta(days=1),
            deadline=TODAY - dt.timedelta(days=1),
            sources=["nobody"],
        )
    assert set(errors_of(exc)) == {"title", "period_end", "deadline", "sources"}
    Indicator.objects.filter(pk=world.indicators[2].pk).delete()
    with pytest.raises(ValidationError) as exc:
        opened(world)
    assert NON_FIELD_ERRORS in errors_of(exc)
    assert not EvaluationRound.objects.exists()


@pytest.mark.parametrize("role", ["tutor", "coordinator", "student", "outsider"])
def test_only_program_administrators_open_rounds(world: World, role: str) -> None:
    with pytest.raises(PermissionDenied):
        services.open_round(
            user=world.person(role),
            program=world.program,
            title="x",
            period_start=TODAY,
            period_end=TODAY,
            deadline=DEADLINE,
            sources=[Source.SELF],
        )


def test_opening_creates_the_requests_in_a_few_queries(
    world: World, django_assert_max_num_queries: Any
) -> None:
    for index in range(25):
        student = StudentFactory(program=world.program)
        m.TutorAssignment.objects.create(student=student, tutor=world.tutor, role="academic")
        m.Placement.objects.create(
            student=student,
            host=world.hospital,
            start_date=TODAY - dt.timedelta(days=10 + index),
            end_date=TODAY,
            objectives="x",
        )
    with django_assert_max_num_queries(30):
        round_ = opened(world)
    assert round_.requests.count() == 11 + 25 * 5


def test_the_evaluators_are_told_once_after_commit(
    world: World, django_capture_on_commit_callbacks: Any, celery_eager: None
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        round_ = opened(world)
    told = Notification.objects.filter(title__contains="Spring evaluations")
    assert told.count() == 7  # Tom, Otis, Pia, Cora, Stan, Olga, Ingrid
    assert told.filter(recipient=world.student.user).count() == 1
    assert services.notify_round_opened(round_.pk) == 0
    assert told.count() == 7


def test_closing_a_round(world: World) -> None:
    round_ = opened(world)
    with pytest.raises(PermissionDenied):
        services.close_round(user=world.tutor.user, round_=round_)
    services.close_round(user=world.program_admin, round_=round_)
    assert round_.status == EvaluationRound.Status.CLOSED and round_.closed_at
    with pytest.raises(ValidationError):
        services.close_round(user=world.program_admin, round_=round_)


# ---- Submitting ----------------------------------------------------------------------------


def test_a_tutor_submits_a_named_evaluation_with_its_weighted_total(world: World) -> None:
    round_ = opened(world)
    request = owed(round_, Source.TUTOR, world.tutor.user)
    evaluation = services.submit_evaluation(
        user=world.tutor.user, request=request, scores=full_scores(world, (4, 3, 8)), comment=" ok "
    )
    assert evaluation is not None
    # 50 x 3/4 + 30 x 2/4 + 20 x 8/10 = 37.5 + 15 + 16
    assert evaluation.total == Decimal("68.50")
    assert evaluation.comment == "ok"
    assert evaluation.student == world.student and evaluation.evaluator == world.tutor.user
    assert sorted(Score.objects.filter(evaluation=evaluation).values_list("value", flat=True)) == [
        3,
        4,
        8,
    ]
    request.refresh_from_db()
    assert request.status == EvaluationRequest.Status.SUBMITTED


@pytest.mark.parametrize(
    ("values", "total"), [((1, 1, 0), Decimal("0.00")), ((5, 5, 10), Decimal("100.00"))]
)
def test_the_total_runs_from_0_to_100(world: World, values: Any, total: Decimal) -> None:
    request = owed(opened(world), Source.SELF, world.student.user)
    evaluation = services.submit_evaluation(
        user=world.student.user, request=request, scores=full_scores(world, values)
    )
    assert evaluation is not None and evaluation.total == total


def test_only_the_evaluator_submits(world: World) -> None:
    request = owed(opened(world), Source.TUTOR, world.tutor.user)
    for user in (world.program_admin, world.admin, world.student.user):
        with pytest.raises(PermissionDenied):
            services.submit_evaluation(user=user, request=request, scores=full_scores(world))


def test_an_evaluation_is_given_once(world: World) -> None:
    request = owed(opened(world), Source.TUTOR, world.tutor.user)
    services.submit_evaluation(user=world.tutor.user, request=request, scores=full_scores(world))
    with pytest.raises(ValidationError):
        services.submit_evaluation(
            user=world.tutor.user, request=request, scores=full_scores(world)
        )
    assert Evaluation.objects.count() == 1


def test_nothing_is_submitted_in_a_closed_round(world: World) -> None:
    round_ = opened(world)
    request = owed(round_, Source.STUDENT_ON_TUTOR, world.student.user, tutor=world.tutor)
    services.close_round(user=world.program_admin, round_=round_)
    with pytest.raises(ValidationError):
        services.submit_evaluation(
            user=world.student.user, request=request, scores=full_scores(world)
        )
    assert not AnonymousAnswer.objects.exists()


def test_scores_outside_the_scale_or_missing_are_field_errors(world: World) -> None:
    request = owed(opened(world), Source.TUTOR, world.tutor.user)
    first, second, third = world.indicators
    with pytest.raises(ValidationError) as exc:
        services.submit_evaluation(
            user=world.tutor.user,
            request=request,
            scores={first.pk: 6, third.pk: 11, 999999: 3},
            comment="x" * (services.COMMENT_MAX_LENGTH + 1),
        )
    assert set(errors_of(exc)) == {
        f"score_{first.pk}",
        f"score_{second.pk}",
        f"score_{third.pk}",
        "scores",
        "comment",
    }
    request.refresh_from_db()
    assert request.status == EvaluationRequest.Status.PENDING
    assert not Evaluation.objects.exists()


def test_an_anonymous_answer_keeps_no_author_and_returns_nothing(world: World) -> None:
    request = owed(opened(world), Source.STUDENT_ON_TUTOR, world.student.user, tutor=world.tutor)
    result = services.submit_evaluation(
        user=world.student.user, request=request, scores=full_scores(world), comment="Kind."
    )
    assert result is None
    answer = AnonymousAnswer.objects.get()
    assert (answer.source, answer.tutor, answer.total) == (
        Source.STUDENT_ON_TUTOR,
        world.tutor,
        Decimal("68.50"),
    )
    assert answer.scores == {str(k): v for k, v in full_scores(world).items()}
    assert not Evaluation.objects.exists()
    request.refresh_from_db()
    assert request.status == EvaluationRequest.Status.SUBMITTED


def test_an_answer_on_a_placement_is_about_the_host_not_the_student(world: World) -> None:
    request = owed(opened(world), Source.STUDENT_ON_PLACEMENT, world.student.user)
    services.submit_evaluation(user=world.student.user, request=request, scores=full_scores(world))
    answer = AnonymousAnswer.objects.get()
    assert (answer.subject_kind, answer.organization, answer.placement) == (
        SubjectKind.PARTNER,
        world.hospital,
        None,
    )


# ---- Reminders -----------------------------------------------------------------------------


def reminders() -> Any:
    return Notification.objects.filter(title__in=["Evaluations due soon", "Evaluations overdue"])


def test_reminders_go_out_near_the_deadline_once_a_day(world: World) -> None:
    round_ = opened(world)
    assert services.send_reminders() == 0  # due in two weeks: not yet
    EvaluationRound.objects.filter(pk=round_.pk).update(deadline=TODAY + dt.timedelta(days=3))
    assert services.send_reminders() == 7
    assert reminders().filter(recipient=world.student.user).count() == 1
    assert "4 evaluations" in reminders().get(recipient=world.student.user).body
    assert services.send_reminders() == 0  # once a day
    tomorrow = timezone.now() + dt.timedelta(days=1)
    assert services.send_reminders(tomorrow) == 7


def test_overdue_requests_are_reminded_but_not_given_ones_or_closed_rounds(world: World) -> None:
    round_ = opened(world)
    EvaluationRound.objects.filter(pk=round_.pk).update(deadline=TODAY - dt.timedelta(days=2))
    for request in EvaluationRequest.objects.filter(round=round_, evaluator=world.tutor.user):
        services.submit_evaluation(
            user=world.tutor.user, request=request, scores=full_scores(world)
        )
    EvaluationRound.objects.filter(pk=round_.pk).update(deadline=TODAY - dt.timedelta(days=2))
    assert services.send_reminders() == 6
    assert reminders().filter(title="Evaluations overdue").count() == 6
    assert not reminders().filter(recipient=world.tutor.user).exists()
    services.close_round(user=world.program_admin, round_=round_)
    assert services.send_reminders(timezone.now() + dt.timedelta(days=1)) == 0
