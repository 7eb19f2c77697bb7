"""The supervision tests' cast: the programs cast, the people by name, and findings about them.

`findings` (all in `cast.program`, open):
- `about_student`: a supervision gap of `student` → program_admin, tutor, practice_tutor, student;
- `about_other_student`: the same about `other_student` → program_admin, other_tutor,
  other_student;
- `fund`: a self-approved expenditure of a line held by `hospital` that names `student`
  (as a student spending on a project would be) → program_admin, coordinator; never a student,
  never a tutor;
- `about_practice_tutor`: `practice_tutor` (at `hospital`) over capacity → program_admin,
  coordinator, practice_tutor.
Portal administrators (`admin`) see everything; `other_coordinator` and `outsider` nothing.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import models

from accounts.models import User
from programs import models as m
from supervision.models import Finding
from tests.cast import CAST_ROLES, Cast, who
from tests.programs.factories import BudgetLineFactory, ExpenditureFactory
from tests.supervision.audits import clean_program

#: Every role of the cast, as the tests name them (besides the anonymous visitor).
ROLES = list(CAST_ROLES)

_serial = itertools.count()


def make_finding(
    program: m.Program,
    subject: models.Model,
    *,
    rule: str = "supervision_gap",
    severity: str = "major",
    status: str = Finding.Status.OPEN,
    **fields: Any,
) -> Finding:
    """A finding as a run would leave it (without running one)."""
    if status == Finding.Status.DISMISSED:
        fields.setdefault("dismissal_justification", "Not a problem.")
    return Finding.objects.create(
        program=program,
        rule=rule,
        severity=severity,
        status=status,
        fingerprint=f"page-test-{next(_serial)}",
        subject_type=ContentType.objects.get_for_model(subject),
        subject_id=subject.pk,
        details=fields.pop("details", {"days": 61, "never": False}),
        evidence=fields.pop(
            "evidence", {"last_progress_log": "2026-01-01", "days_without_log": 61}
        ),
        **fields,
    )


@dataclass
class Findings:
    about_student: Finding
    about_other_student: Finding
    fund: Finding
    about_practice_tutor: Finding

    def all(self) -> list[Finding]:
        return [self.about_student, self.about_other_student, self.fund, self.about_practice_tutor]


@pytest.fixture
def people(cast: Cast, admin: User, outsider: User) -> dict[str, Any]:
    """Each role's user by name; None for the anonymous visitor."""
    named = {
        name: who(cast, name, outsider)
        for name in ROLES
        if name not in ("admin", "other_coordinator")
    }
    return {
        **named,
        "admin": admin,
        "other_coordinator": cast.other_coordinator,
        "anonymous": None,
    }


@pytest.fixture
def findings(cast: Cast) -> Findings:
    line = BudgetLineFactory(program=cast.program, holder=cast.hospital)
    expenditure = ExpenditureFactory(
        line=line, submitted_by=cast.coordinator, approved_by=cast.coordinator
    )
    return Findings(
        about_student=make_finding(cast.program, cast.student, student=cast.student),
        about_other_student=make_finding(
            cast.program, cast.other_student, student=cast.other_student
        ),
        fund=make_finding(
            cast.program,
            expenditure,
            rule="fund_self_approval",
            severity="critical",
            organization=cast.hospital,
            student=cast.student,
            details={"person": "Cora Coordinator", "amount": "500.00"},
            evidence={"submitted_by": "Cora Coordinator", "approved_by": "Cora Coordinator"},
        ),
        about_practice_tutor=make_finding(
            cast.program,
            cast.practice_tutor,
            rule="tutor_over_capacity",
            severity="minor",
            tutor=cast.practice_tutor.user,
            organization=cast.hospital,
            details={"load": 9, "capacity": 6},
            evidence={"current_students": 9, "capacity": 6},
        ),
    )


@pytest.fixture
def clean(cast: Cast) -> Cast:
    """The cast's program with nothing for an audit to find (tests/supervision/audits.py)."""
    return clean_program(cast)
