"""The partner-performance tests' world, on the programs cast, in the current year.

Partners of the program (all active): `hospital` (Cora coordinates it), `other_hospital`
(Otto), `third` (a third hospital) and `maker` (an enterprise, alone of its kind).

`data` gives `hospital`, in the current year:
- named evaluations: one about the hospital (80), one about Stan's placement there (60);
  four anonymous answers about Pia, its practice tutor (too few: left out);
- two responsibilities, one with an open "responsibility unfulfilled" finding;
- open findings about it: one major, one critical (plus a minor and a resolved critical,
  which do not count);
- three expenditures in the year on its budget line (one with a fund finding), one
  rejected and one of last year (neither counts);
- 6 reward points, while `other_hospital` has 12 (the best hospital).
Its components are then 70, 50, 65, 66.67 and 50: a score of 62.50. `other_hospital`
scores 65.00, `third` 55.00 (bottom of the hospitals), `maker` 60.00.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from accounts.models import User
from evaluation.models import (
    AnonymousAnswer,
    Evaluation,
    EvaluationRequest,
    EvaluationRound,
    PartnerScoreRun,
    RewardEntry,
)
from evaluation.scores import formula, services
from programs import models as m
from supervision.models import Finding
from tests.cast import Cast
from tests.evaluation.conftest import by_role
from tests.programs.factories import BudgetLineFactory, ExpenditureFactory, OrganizationFactory
from training_portal.core.models import Job

YEAR = timezone.localdate().year
START, END = dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31)
_serial = itertools.count()


@dataclass
class World:
    cast: Cast
    third: m.Organization
    maker: m.Organization
    people: dict[str, Any]


@pytest.fixture
def world(cast: Cast, admin: User, outsider: User) -> World:
    third = OrganizationFactory(name="Third Hospital")
    maker = OrganizationFactory(name="Maker Ltd", kind=m.Organization.Kind.ENTERPRISE)
    for organization in (cast.hospital, cast.other_hospital, third, maker):
        m.ProgramPartner.objects.create(
            program=cast.program, organization=organization, agreement_start=dt.date(2024, 9, 1)
        )
    people = by_role(cast, admin, outsider)
    return World(cast=cast, third=third, maker=maker, people=people)


def finding(program: m.Program, subject: Any, **fields: Any) -> Finding:
    fields.setdefault("severity", "major")
    if fields.get("status") == Finding.Status.DISMISSED:
        fields.setdefault("dismissal_justification", "Not a problem.")
    return Finding.objects.create(
        program=program,
        fingerprint=f"score-test-{next(_serial)}",
        subject_type=ContentType.objects.get_for_model(subject),
        subject_id=subject.pk,
        **fields,
    )


def evaluation_round(
    program: m.Program,
    start: dt.date = START,
    end: dt.date = END,
    status: str = EvaluationRound.Status.CLOSED,
) -> Any:
    """A round of the period, closed by default (its anonymous answers then count)."""
    return EvaluationRound.objects.create(
        program=program,
        title=f"Round {next(_serial)}",
        period_start=start,
        period_end=end,
        deadline=end,
        status=status,
    )


def named(round_: Any, evaluator: User, total: str, source: str, **subject: Any) -> Evaluation:
    request = EvaluationRequest.objects.create(
        round=round_, source=source, evaluator=evaluator, status="submitted", **subject
    )
    return Evaluation.objects.create(
        request=request,
        round=round_,
        source=source,
        evaluator=evaluator,
        total=Decimal(total),
        **subject,
    )


def anonymous(round_: Any, total: str, **subject: Any) -> AnonymousAnswer:
    return AnonymousAnswer.objects.create(
        round=round_, source="student_on_tutor", total=Decimal(total), **subject
    )


def project(program: m.Program) -> m.Project:
    return m.Project.objects.create(
        program=program,
        title=f"Project {next(_serial)}",
        kind="research",
        size="small",
        status="completed",
        lead_organization=program.lead_university,
    )


def points(program: m.Program, organization: m.Organization, value: int, on: dt.date) -> None:
    RewardEntry.objects.create(
        program=program,
        project=project(program),
        organization=organization,
        points=Decimal(value),
        earned_on=on,
    )


@pytest.fixture
def data(world: World) -> World:
    cast = world.cast
    program, hospital = cast.program, cast.hospital
    round_ = evaluation_round(program)
    named(
        round_, cast.coordinator, "80", "coordinator", subject_kind="partner", organization=hospital
    )
    named(
        round_, cast.tutor.user, "60", "tutor", subject_kind="placement", placement=cast.placement
    )
    for total in ("10", "20", "30", "40"):
        anonymous(round_, total, subject_kind="tutor", tutor=cast.practice_tutor)
    partner = m.ProgramPartner.objects.get(program=program, organization=hospital)
    clinical = m.PartnerResponsibility.objects.create(
        partner=partner, responsibility="clinical_practice"
    )
    teaching = m.PartnerResponsibility.objects.create(partner=partner, responsibility="teaching")
    finding(program, clinical, rule="responsibility_unfulfilled")
    finding(program, teaching, rule="responsibility_unfulfilled", status=Finding.Status.DISMISSED)
    finding(program, hospital, rule="inspection", organization=hospital, severity="major")
    finding(program, hospital, rule="inspection", organization=hospital, severity="critical")
    finding(program, hospital, rule="inspection", organization=hospital, severity="minor")
    finding(
        program,
        hospital,
        rule="inspection",
        organization=hospital,
        severity="critical",
        status=Finding.Status.RESOLVED,
    )
    line = BudgetLineFactory(program=program, holder=hospital, start_date=START, end_date=END)
    spent = [ExpenditureFactory(line=line, spent_on=dt.date(YEAR, 3, day)) for day in (1, 2, 3)]
    finding(program, spent[0], rule="fund_duplicate", organization=hospital, severity="minor")
    ExpenditureFactory(
        line=line,
        spent_on=dt.date(YEAR, 3, 4),
        status="rejected",
        decided_at=timezone.now(),
        rejection_reason="No receipt.",
    )
    ExpenditureFactory(line=line, spent_on=dt.date(YEAR - 1, 12, 31))
    points(program, hospital, 6, dt.date(YEAR, 2, 1))
    points(program, cast.other_hospital, 12, dt.date(YEAR, 2, 1))
    points(program, hospital, 50, dt.date(YEAR - 1, 2, 1))
    return world


def scored(
    world: World,
    *,
    start: dt.date = START,
    end: dt.date = END,
    label: str | None = None,
    threshold: str | Decimal = formula.DEFAULT_THRESHOLD,
    bottom_share: str | Decimal = formula.DEFAULT_BOTTOM_SHARE,
    weights: dict[str, Any] | None = None,
) -> PartnerScoreRun:
    """A run computed synchronously (as its job would)."""
    job = Job.objects.create(kind=services.JOB_KIND, owner=world.people["admin"])
    run = PartnerScoreRun.objects.create(
        label=label or str(start.year),
        period_start=start,
        period_end=end,
        weights=formula.clean_weights(weights),
        threshold=Decimal(threshold),
        bottom_share=Decimal(bottom_share),
        job=job,
    )
    services.compute_scores(run)
    run.refresh_from_db()
    return run
