"""Data around the programs cast for the reports: milestones, supervision contacts, case
logs, findings, an evaluation round with named and anonymous answers, partner scores,
projects and reward points, all in `YEAR`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from evaluation.models import (
    AnonymousAnswer,
    Evaluation,
    EvaluationRequest,
    EvaluationRound,
    Indicator,
    PartnerScore,
    PartnerScoreRun,
    RewardEntry,
    Score,
)
from programs import models as m
from supervision.models import Finding
from tests.cast import Cast
from tests.factories import JobFactory, UserFactory
from tests.programs.factories import (
    AssignmentFactory,
    PlanFactory,
    ProgressLogFactory,
    StudentFactory,
    TutorFactory,
)

YEAR = 2026
_counter = [0]


def _next() -> int:
    _counter[0] += 1
    return _counter[0]


@dataclass
class World:
    cast: Cast
    indicator: Indicator
    round: EvaluationRound
    run: PartnerScoreRun
    project: m.Project


def add_student(cast: Cast, *, title: str = "Protocol study") -> m.Student:
    """One more student of the program with data in every section of the reports."""
    student = StudentFactory(program=cast.program)
    tutor = TutorFactory(organization=cast.program.lead_university)
    AssignmentFactory(student=student, tutor=tutor)
    plan = PlanFactory(student=student)
    plan.courses.add(*m.Course.objects.all()[:1])
    m.Milestone.objects.create(
        student=student,
        kind=m.MilestoneTemplate.Kind.PROPOSAL_DEFENCE,
        title="Proposal",
        due_date=dt.date(YEAR, 3, 1),
        completed_on=dt.date(YEAR, 2, 20),
    )
    m.Milestone.objects.create(
        student=student,
        kind=m.MilestoneTemplate.Kind.MID_TERM_REVIEW,
        title="Mid-term",
        due_date=dt.date(YEAR, 6, 1),
        completed_on=dt.date(YEAR, 6, 15),
    )
    ProgressLogFactory(student=student, author=tutor.user, date=dt.date(YEAR, 3, 10))
    m.CaseLog.objects.create(
        student=student,
        date=dt.date(YEAR, 4, 2),
        modality="ct",
        procedure="Head CT",
        count=3,
        role="observed",
        recorded_by=student.user,
    )
    m.Placement.objects.create(
        student=student,
        host=cast.hospital,
        start_date=dt.date(YEAR, 3, 1),
        end_date=dt.date(YEAR, 8, 31),
        objectives="CT",
    )
    Finding.objects.create(
        rule="milestone_overdue",
        severity="major",
        fingerprint=f"f-{_next()}",
        program=cast.program,
        organization=cast.hospital,
        student=student,
        subject_type=ContentType.objects.get_for_model(m.Student),
        subject_id=student.pk,
    )
    project = m.Project.objects.create(
        program=cast.program,
        title=title,
        kind=m.Project.Kind.RESEARCH,
        size=m.Project.Size.SMALL,
        lead_organization=cast.hospital,
        status=m.Project.Status.COMPLETED,
    )
    m.ProjectMember.objects.create(project=project, user=student.user)
    RewardEntry.objects.create(
        program=cast.program,
        project=project,
        user=student.user,
        points=Decimal("1"),
        earned_on=dt.date(YEAR, 5, 1),
    )
    RewardEntry.objects.create(
        program=cast.program,
        project=project,
        organization=cast.hospital,
        points=Decimal("1"),
        earned_on=dt.date(YEAR, 5, 1),
    )
    return student


def evaluate(world: World, student: m.Student, value: int) -> Evaluation:
    evaluator = UserFactory()
    request = EvaluationRequest.objects.create(
        round=world.round,
        source="tutor",
        evaluator=evaluator,
        subject_kind="student",
        student=student,
        status="submitted",
    )
    evaluation = Evaluation.objects.create(
        request=request,
        round=world.round,
        source="tutor",
        evaluator=evaluator,
        subject_kind="student",
        student=student,
        total=Decimal(value * 20),
    )
    Score.objects.create(evaluation=evaluation, indicator=world.indicator, value=value)
    return evaluation


def answer_anonymously(world: World, value: int) -> None:
    AnonymousAnswer.objects.create(
        round=world.round,
        source="student_on_tutor",
        subject_kind="tutor",
        tutor=world.cast.tutor,
        scores={str(world.indicator.pk): value},
        total=Decimal(value * 20),
    )


@pytest.fixture
def world(cast: Cast) -> World:
    m.ProgramPartner.objects.get_or_create(
        program=cast.program,
        organization=cast.hospital,
        defaults={"agreement_start": dt.date(YEAR - 1, 1, 1)},
    )
    partner = m.ProgramPartner.objects.get(program=cast.program, organization=cast.hospital)
    m.PartnerResponsibility.objects.get_or_create(
        partner=partner, responsibility="clinical_practice"
    )
    indicator = Indicator.objects.create(
        program=cast.program,
        category="practice_ability",
        name="Practice ability",
        weight=Decimal("100"),
    )
    round_ = EvaluationRound.objects.create(
        program=cast.program,
        title="Spring",
        period_start=dt.date(YEAR, 1, 1),
        period_end=dt.date(YEAR, 6, 30),
        deadline=dt.date(YEAR, 7, 15),
    )
    run = PartnerScoreRun.objects.create(
        label=f"{YEAR}-H1",
        period_start=dt.date(YEAR, 1, 1),
        period_end=dt.date(YEAR, 6, 30),
        weights={"evaluations": 50, "findings": 50},
        threshold=Decimal("60"),
        bottom_share=Decimal("20"),
        job=JobFactory(),
        finished_at=timezone.now(),
    )
    PartnerScore.objects.create(
        run=run,
        organization=cast.hospital,
        kind=cast.hospital.kind,
        inputs={},
        components={"evaluations": "80.00", "findings": "60.00"},
        score=Decimal("70.00"),
        rank=1,
    )
    project = m.Project.objects.create(
        program=cast.program,
        title="Big study",
        kind=m.Project.Kind.CLINICAL,
        size=m.Project.Size.BIG,
        lead_organization=cast.hospital,
        status=m.Project.Status.ACTIVE,
    )
    world = World(cast=cast, indicator=indicator, round=round_, run=run, project=project)
    add_student(cast)
    evaluate(world, cast.student, 4)
    return world
