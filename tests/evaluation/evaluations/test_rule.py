"""The audit rule `evaluation_overdue`: pending requests of open rounds past the deadline (plus
a grace period); anonymous ones only counted per evaluator."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import translation

from evaluation.evaluations import services
from evaluation.evaluations.rules import RULE
from evaluation.models import EvaluationRequest, EvaluationRound, Source
from supervision.audits.engine import run_audit, start_audit
from supervision.models import Finding
from supervision.rules import Scope, all_rules, get_rule
from tests.programs.factories import ProgramFactory

from .conftest import TODAY, World, full_scores, opened

pytestmark = pytest.mark.django_db


def late(round_: EvaluationRound, days: int) -> None:
    EvaluationRound.objects.filter(pk=round_.pk).update(deadline=TODAY - dt.timedelta(days=days))


def hits(world: World, grace: int = 0, programs: tuple[int, ...] | None = None) -> list[Any]:
    scope = Scope(
        program_ids=programs or (world.program.pk,),
        today=TODAY,
        thresholds={"grace_days": grace},
    )
    return list(RULE.find(scope))


def test_the_rule_is_registered() -> None:
    assert get_rule("evaluation_overdue") is RULE
    assert RULE in all_rules()
    assert (RULE.severity, RULE.subject) == ("minor", "evaluation.evaluationrequest")


def test_nothing_is_overdue_before_the_deadline(world: World) -> None:
    opened(world)
    assert hits(world) == []


def test_named_requests_past_the_deadline_are_found_one_by_one(world: World) -> None:
    round_ = opened(world, sources=[Source.TUTOR, Source.COORDINATOR])
    late(round_, 3)
    found = hits(world)
    assert len(found) == 3
    cora = next(h for h in found if h.details["evaluator"] == world.coordinator.full_name)
    assert cora.student_id == world.student.pk
    assert cora.organization_id is None
    assert cora.evidence == {
        "deadline": (TODAY - dt.timedelta(days=3)).isoformat(),
        "days_overdue": 3,
    }
    assert "has not given their evaluation" in RULE.message(cora.details)


def test_the_grace_period_and_given_evaluations_count(world: World) -> None:
    round_ = opened(world, sources=[Source.TUTOR])
    late(round_, 3)
    assert hits(world, grace=3) == []
    assert len(hits(world, grace=2)) == 2
    EvaluationRound.objects.filter(pk=round_.pk).update(deadline=TODAY)
    request = EvaluationRequest.objects.get(round=round_, evaluator=world.tutor.user)
    services.submit_evaluation(user=world.tutor.user, request=request, scores=full_scores(world))
    late(round_, 3)
    assert len(hits(world)) == 1


def test_closed_rounds_and_other_programs_are_not_looked_at(world: World) -> None:
    round_ = opened(world, sources=[Source.SELF])
    late(round_, 1)
    assert hits(world, programs=(ProgramFactory().pk,)) == []
    services.close_round(user=world.program_admin, round_=round_)
    assert hits(world) == []


def test_anonymous_requests_are_only_counted_per_evaluator(world: World) -> None:
    round_ = opened(world, sources=[Source.STUDENT_ON_TUTOR, Source.STUDENT_ON_PLACEMENT])
    late(round_, 2)
    found = hits(world)
    stan = [h for h in found if h.details["evaluator"] == world.student.user.full_name]
    by_source = {h.details["source"]: h for h in stan}
    assert by_source[Source.STUDENT_ON_TUTOR].details["count"] == 2
    assert by_source[Source.STUDENT_ON_PLACEMENT].details["count"] == 1
    for hit in stan:
        assert hit.tutor_id is None and hit.organization_id is None
        assert hit.student_id == world.student.pk
        assert set(hit.details) == {"evaluator", "source", "round", "days", "count"}
    message = RULE.message(by_source[Source.STUDENT_ON_TUTOR].details)
    assert message.startswith("2 evaluations owed by Stan Student")
    assert world.tutor.user.full_name not in message
    # One of each, in the singular; in Chinese, the same facts.
    one = {**by_source[Source.STUDENT_ON_PLACEMENT].details, "days": 1}
    assert RULE.message(one).startswith("1 evaluation owed by Stan Student")
    assert RULE.message(one).endswith(", 1 day overdue.")
    with translation.override("zh-hans"):
        chinese = RULE.message(one)
    assert "1 份评价未提交" in chinese and "已逾期 1 天" in chinese


def test_the_rule_finds_in_one_query_per_kind(world: World, django_assert_num_queries: Any) -> None:
    round_ = opened(world)
    late(round_, 1)
    with django_assert_num_queries(3):
        assert len(hits(world)) >= 5


def test_an_audit_records_the_findings(
    world: World, django_capture_on_commit_callbacks: Any, celery_eager: None
) -> None:
    round_ = opened(world, sources=[Source.SELF])
    late(round_, 1)
    run = start_audit(user=None, program=world.program, rules=["evaluation_overdue"])
    with django_capture_on_commit_callbacks(execute=True):
        run_audit(run.job_id)
    findings = Finding.objects.filter(rule="evaluation_overdue", program=world.program)
    assert findings.count() == 2
    assert findings.filter(severity="minor", student=world.student).count() == 1
