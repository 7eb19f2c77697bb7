"""Found in review: an indicator added during a round must not show the mean of fewer
anonymous answers than the minimum; bad weights are validation errors, never a crash; two
administrators saving a program's indicators at the same time keep the weights at 100 %;
the overdue rule's texts are in the Chinese catalogue."""

from __future__ import annotations

import threading
import time
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction
from django.utils import translation

from evaluation.evaluations import services
from evaluation.evaluations.rules import RULE
from evaluation.models import EvaluationRequest, Indicator, Source

from .conftest import World, more_students_of, opened

pytestmark = pytest.mark.django_db


def _rows(world: World, weights: tuple[str, str, str], *extra: dict[str, Any]) -> list[dict]:
    """The world's three indicators with new weights, then `extra` rows."""
    return [
        {
            "id": indicator.pk,
            "category": indicator.category,
            "name": indicator.name,
            "weight": weight,
            "scale_min": indicator.scale_min,
            "scale_max": indicator.scale_max,
        }
        for indicator, weight in zip(world.indicators, weights, strict=True)
    ] + list(extra)


NEW_INDICATOR = {"category": "other", "name": "Teaching", "weight": "10", "scale_min": 1}


def test_an_indicator_added_during_the_round_shows_no_mean_of_fewer_than_five_answers(
    world: World,
) -> None:
    """Five of Tom's six students answer; the administrator then adds an indicator; the
    sixth answers. The group (6 answers) shows, but the new indicator's mean would be the
    sixth student's own score: it stays hidden."""
    more_students_of(world, world.tutor, 5)
    round_ = opened(world, sources=[Source.STUDENT_ON_TUTOR])
    requests = list(
        EvaluationRequest.objects.filter(round=round_, tutor=world.tutor)
        .select_related("evaluator")
        .order_by("pk")
    )
    assert len(requests) == 6
    for request in requests[:5]:
        services.submit_evaluation(
            user=request.evaluator,
            request=request,
            scores={i.pk: i.scale_min + 1 for i in world.indicators},
        )
    services.save_indicators(
        user=world.program_admin,
        program=world.program,
        rows=_rows(world, ("40", "30", "20"), NEW_INDICATOR),
    )
    teaching = Indicator.objects.get(program=world.program, name="Teaching")
    indicators = list(Indicator.objects.filter(program=world.program))
    last = requests[5]
    services.submit_evaluation(
        user=last.evaluator,
        request=last,
        scores={i.pk: (5 if i.pk == teaching.pk else i.scale_min + 1) for i in indicators},
    )

    services.close_round(user=world.program_admin, round_=round_)
    results = services.round_results(user=world.program_admin, round_=round_)
    [group] = results.anonymous
    assert group.count == 6
    means = {mean.indicator.pk: mean.mean for mean in group.means}
    assert means[world.indicators[0].pk] == Decimal("2.00")
    assert means[teaching.pk] is None


def test_a_huge_weight_is_a_validation_error_not_a_crash(world: World) -> None:
    rows = _rows(world, ("1e30", "30", "20"))
    with pytest.raises(ValidationError) as caught:
        services.save_indicators(user=world.program_admin, program=world.program, rows=rows)
    assert "0.weight" in caught.value.message_dict


@pytest.mark.django_db(transaction=True)
def test_two_administrators_saving_the_indicators_at_once_keep_the_weights_at_100(
    world: World,
) -> None:
    """The first save adds "Teaching" and is not yet committed when the second (the same
    set) starts; the second waits for it, then replaces the set as a whole."""
    rows = _rows(world, ("40", "30", "20"), NEW_INDICATOR)
    admin, program = world.program_admin, world.program
    first_saved, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def first() -> None:
        try:
            with transaction.atomic():
                services.save_indicators(user=admin, program=program, rows=rows)
                first_saved.set()
                release.wait(10)
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            first_saved.set()
            connection.close()

    def second() -> None:
        try:
            services.save_indicators(user=admin, program=program, rows=rows)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    one, two = threading.Thread(target=first), threading.Thread(target=second)
    one.start()
    assert first_saved.wait(10)
    two.start()
    # Wait until the second save is blocked by the first one's locks.
    with connections["default"].cursor() as cursor:
        for _ in range(100):
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                break
            time.sleep(0.05)
    release.set()
    one.join(20)
    two.join(20)

    assert errors == []
    saved = list(Indicator.objects.filter(program=program).values_list("name", "weight"))
    assert sum(weight for _name, weight in saved) == Decimal(100)
    assert sorted(name for name, _weight in saved) == [
        "Practice ability",
        "Research output",
        "Supervision quality",
        "Teaching",
    ]


def test_the_overdue_rule_speaks_chinese() -> None:
    with translation.override("zh-hans"):
        texts = [
            str(RULE.label),
            str(RULE.description),
            str(RULE.thresholds["grace_days"].label),
            *(str(label) for label in RULE.evidence_labels.values()),
        ]
    english = [
        "Evaluation overdue",
        "Grace period (days)",
        "Deadline",
        "Days overdue",
        "Evaluations owed",
    ]
    assert not [text for text in texts if text in english or text.startswith("Someone")]
