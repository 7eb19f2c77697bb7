"""Demo data of evaluations: `seed_evaluation_demo(program)` gives the program six indicators
(weights adding up to 100 %), last term's round, closed, and this term's, open, both of every
source and with some evaluations given: by a tutor, a coordinator and a student on
themselves, and anonymous answers of students on their tutors, enough for one tutor's
aggregate and too few for another's (the averages show in the closed round only).

Idempotent: the indicators are created only for a program that has none, the rounds are
found by their titles; a second run creates nothing. The rounds are opened, answered and
closed through the services, as people would.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from programs.models import Program
from programs.scopes import program_admin_ids

from ..models import EvaluationRequest, EvaluationRound, Indicator, Source
from . import services

ROUND_TITLE = "Demo evaluation round"
CLOSED_ROUND_TITLE = "Demo evaluation round (last term)"
INDICATORS = [
    (Indicator.Category.OBJECTIVE_ATTAINMENT, "Objective attainment", "20.00"),
    (Indicator.Category.COURSE_RESULTS, "Course results", "15.00"),
    (Indicator.Category.PRACTICE_ABILITY, "Practice ability", "25.00"),
    (Indicator.Category.RESEARCH_OUTPUT, "Research output", "15.00"),
    (Indicator.Category.INNOVATION_ENTREPRENEURSHIP, "Innovation and entrepreneurship", "10.00"),
    (Indicator.Category.SUPERVISION_QUALITY, "Supervision quality", "15.00"),
]


def _administrator(program: Program) -> User | None:
    admin_ids = program_admin_ids([program.pk])
    return User.objects.filter(pk__in=admin_ids, is_active=True).order_by("pk").first()


def _indicators(program: Program) -> list[Indicator]:
    if not Indicator.objects.filter(program=program).exists():
        objectives = list(program.objectives.order_by("order"))
        Indicator.objects.bulk_create(
            [
                Indicator(
                    program=program,
                    category=category,
                    objective=objectives[index] if index < len(objectives) else None,
                    name=name,
                    description=f"{name}, scored from 1 (poor) to 5 (excellent).",
                    weight=Decimal(weight),
                    position=index,
                )
                for index, (category, name, weight) in enumerate(INDICATORS)
            ]
        )
    return list(Indicator.objects.filter(program=program))


def _answer(request: EvaluationRequest, indicators: list[Indicator], seed: int) -> None:
    scores = {
        i.pk: i.scale_min + (seed + n) % (i.scale_max - i.scale_min + 1)
        for n, i in enumerate(indicators)
    }
    comment = ["Clear and regular supervision.", "More feedback on drafts would help.", ""][
        seed % 3
    ]
    services.submit_evaluation(
        user=request.evaluator, request=request, scores=scores, comment=comment
    )


@transaction.atomic
def seed_evaluation_demo(program: Program) -> EvaluationRound | None:
    """The program's indicators and its demo rounds; returns the open one (None without a
    program administrator)."""
    indicators = _indicators(program)
    found = EvaluationRound.objects.filter(program=program, title=ROUND_TITLE).first()
    if found is not None:
        return found
    admin = _administrator(program)
    if admin is None:
        return None
    today = timezone.localdate()
    last_term = _answered_round(
        admin,
        program,
        indicators,
        title=CLOSED_ROUND_TITLE,
        period=(today - dt.timedelta(days=360), today - dt.timedelta(days=181)),
    )
    services.close_round(user=admin, round_=last_term)
    return _answered_round(
        admin,
        program,
        indicators,
        title=ROUND_TITLE,
        period=(today - dt.timedelta(days=180), today),
    )


def _answered_round(
    admin: User,
    program: Program,
    indicators: list[Indicator],
    *,
    title: str,
    period: tuple[dt.date, dt.date],
) -> EvaluationRound:
    round_ = services.open_round(
        user=admin,
        program=program,
        title=title,
        period_start=period[0],
        period_end=period[1],
        deadline=timezone.localdate() + dt.timedelta(days=14),
        sources=list(Source.values),
    )
    pending = list(
        EvaluationRequest.objects.filter(round=round_).select_related("evaluator").order_by("pk")
    )
    for source in (Source.TUTOR, Source.COORDINATOR, Source.SELF, Source.PRACTICE_TUTOR):
        first = next((r for r in pending if r.source == source), None)
        if first is not None:
            _answer(first, indicators, first.pk)
    on_tutor: dict[int, list[EvaluationRequest]] = defaultdict(list)
    for request in pending:
        if request.source == Source.STUDENT_ON_TUTOR and request.tutor_id:
            on_tutor[request.tutor_id].append(request)
    ranked = sorted(on_tutor.values(), key=lambda rows: (-len(rows), rows[0].pk))
    for position, rows in enumerate(ranked[:2]):
        wanted = services.min_anonymous() if position == 0 else 2
        for seed, request in enumerate(rows[:wanted]):
            _answer(request, indicators, seed)
    return round_
