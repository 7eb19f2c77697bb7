"""The demo data: six indicators, an open round with named evaluations and anonymous answers
(enough about one tutor, too few about another); a second run creates nothing."""

from __future__ import annotations

import pytest

from evaluation.evaluations import services
from evaluation.evaluations.demo import CLOSED_ROUND_TITLE, seed_evaluation_demo
from evaluation.models import AnonymousAnswer, Evaluation, EvaluationRound, Indicator, Source

from .conftest import World, more_students_of

pytestmark = pytest.mark.django_db


def test_the_demo_round_is_seeded_once(world: World) -> None:
    Indicator.objects.all().delete()
    more_students_of(world, world.tutor, 5)
    more_students_of(world, world.other_tutor, 2)
    round_ = seed_evaluation_demo(world.program)
    assert round_ is not None and round_.status == EvaluationRound.Status.OPEN
    weights = Indicator.objects.filter(program=world.program).values_list("weight", flat=True)
    assert len(weights) == 6 and sum(weights) == 100
    assert set(Evaluation.objects.values_list("source", flat=True)) >= {
        Source.TUTOR,
        Source.COORDINATOR,
        Source.SELF,
    }
    # The open round: enough answers about one tutor, awaiting the close; too few about
    # another. Last term's round, closed, shows the first one's averages.
    results = services.round_results(user=world.program_admin, round_=round_)
    assert not [g for g in results.anonymous if g.shown]
    assert [g.subject_id for g in results.anonymous if g.awaiting_close] == [world.tutor.pk]
    last_term = EvaluationRound.objects.get(program=world.program, title=CLOSED_ROUND_TITLE)
    assert last_term.status == EvaluationRound.Status.CLOSED
    results = services.round_results(user=world.program_admin, round_=last_term)
    shown = [g for g in results.anonymous if g.shown]
    hidden = [g for g in results.anonymous if not g.shown]
    assert [g.subject_id for g in shown] == [world.tutor.pk]
    assert hidden and hidden[0].subject_id == world.other_tutor.pk
    counts = (Evaluation.objects.count(), AnonymousAnswer.objects.count())
    assert seed_evaluation_demo(world.program) == round_
    assert (Evaluation.objects.count(), AnonymousAnswer.objects.count()) == counts
    assert Indicator.objects.filter(program=world.program).count() == 6
