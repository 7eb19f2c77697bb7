"""The evaluations cast: the programs cast (tests/programs/conftest.py) with `hospital` a
partner of the program, three indicators (weights 50, 30 and 20; scales 1-5, 1-5 and 0-10),
an inspector (Ingrid) assigned to the program, and a portal administrator (Alice).

`opened(world)` opens a round of every source over 2026 so far, due in two weeks: Tom owes an
evaluation of Stan, Pia of Stan, Cora of Stan (placed at her hospital), Stan and Olga of
themselves, Stan of Tom and of Pia, Olga of Otis, Stan of his placement, Ingrid of the program.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from evaluation.evaluations import services
from evaluation.models import EvaluationRequest, EvaluationRound, Indicator, Source
from programs import models as m
from supervision.models import InspectionAssignment
from tests.cast import Cast
from tests.evaluation.conftest import by_role
from tests.factories import UserFactory
from tests.programs.factories import grant

TODAY = timezone.localdate()
PERIOD = (dt.date(TODAY.year, 1, 1), TODAY)
DEADLINE = TODAY + dt.timedelta(days=14)


@dataclass
class World:
    cast: Cast
    admin: User
    outsider: User
    inspector: User
    indicators: list[Indicator]

    def __getattr__(self, name: str) -> Any:
        return getattr(self.cast, name)

    def person(self, role: str) -> Any:
        if role == "inspector":
            return self.inspector
        return by_role(self.cast, self.admin, self.outsider)[role]


@pytest.fixture
def world(cast: Cast, admin: User, outsider: User) -> World:
    m.ProgramPartner.objects.create(
        program=cast.program, organization=cast.hospital, agreement_start=dt.date(2025, 9, 1)
    )
    grant(cast.other_tutor.user, Role.ACADEMIC_TUTOR, cast.program.lead_university)
    inspector = UserFactory(email="ingrid@example.org", full_name="Ingrid Inspector")
    InspectionAssignment.objects.create(
        inspector=inspector,
        program=cast.program,
        valid_from=TODAY - dt.timedelta(days=30),
        valid_until=TODAY + dt.timedelta(days=180),
    )
    indicators = [
        Indicator.objects.create(
            program=cast.program,
            category=Indicator.Category.PRACTICE_ABILITY,
            name="Practice ability",
            weight=Decimal("50.00"),
            position=0,
        ),
        Indicator.objects.create(
            program=cast.program,
            category=Indicator.Category.RESEARCH_OUTPUT,
            name="Research output",
            weight=Decimal("30.00"),
            position=1,
        ),
        Indicator.objects.create(
            program=cast.program,
            category=Indicator.Category.SUPERVISION_QUALITY,
            name="Supervision quality",
            weight=Decimal("20.00"),
            scale_min=0,
            scale_max=10,
            position=2,
        ),
    ]
    return World(cast, admin, outsider, inspector, indicators)


def opened(world: World, sources: list[str] | None = None, **fields: Any) -> EvaluationRound:
    values: dict[str, Any] = {
        "title": "Spring evaluations",
        "period_start": PERIOD[0],
        "period_end": PERIOD[1],
        "deadline": DEADLINE,
        "sources": sources or list(Source.values),
    }
    values.update(fields)
    return services.open_round(user=world.program_admin, program=world.program, **values)


def owed(round_: EvaluationRound, source: str, evaluator: Any, **subject: Any) -> EvaluationRequest:
    return EvaluationRequest.objects.get(
        round=round_, source=source, evaluator=evaluator, **subject
    )


def full_scores(world: World, values: tuple[int, int, int] = (4, 3, 8)) -> dict[int, int]:
    return {indicator.pk: value for indicator, value in zip(world.indicators, values, strict=True)}


def more_students_of(world: World, tutor: m.TutorProfile, count: int) -> list[m.Student]:
    """`count` more active students of the program, each currently supervised by `tutor`."""
    from tests.programs.factories import AssignmentFactory, StudentFactory

    students = []
    for _ in range(count):
        student = StudentFactory(program=world.program)
        grant(student.user, Role.STUDENT, world.program)
        AssignmentFactory(student=student, tutor=tutor)
        students.append(student)
    return students
