"""The programs cast as fixtures, for every test (tests/conftest.py loads this plugin); the
names and helpers that go with it (`Cast`, `CAST_ROLES`, `API_ROLES`, `who`) are in
tests/cast.py.

- `cast`: one program with two hospitals (see tests/cast.py for who is who);
- `inspector`: Ingrid, assigned to the program and to `hospital`;
- `everyone`: each name of `API_ROLES` -> its user (None for "anonymous").
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from accounts.roles import Role
from programs import models as m
from tests.cast import CAST_ROLES, Cast, who
from tests.factories import UserFactory
from tests.programs.factories import (
    AssignmentFactory,
    OrganizationFactory,
    PlacementFactory,
    ProgramFactory,
    StudentFactory,
    TutorFactory,
    grant,
)


@pytest.fixture
def cast(db: None) -> Cast:
    program = ProgramFactory()
    hospital = OrganizationFactory(name="First Hospital")
    other_hospital = OrganizationFactory(name="Second Hospital")
    program_admin = UserFactory(email="petra@example.org", full_name="Petra Progadmin")
    grant(program_admin, Role.PROGRAM_ADMIN, program)
    coordinator = UserFactory(email="cora@example.org", full_name="Cora Coordinator")
    grant(coordinator, Role.PARTNER_COORDINATOR, hospital)
    other_coordinator = UserFactory(email="otto@example.org", full_name="Otto Coordinator")
    grant(other_coordinator, Role.PARTNER_COORDINATOR, other_hospital)
    tutor = TutorFactory(
        user=UserFactory(email="tom@example.org", full_name="Tom Tutor"),
        organization=program.lead_university,
    )
    grant(tutor.user, Role.ACADEMIC_TUTOR, program.lead_university)
    practice_tutor = TutorFactory(
        user=UserFactory(email="pia@example.org", full_name="Pia Practice"),
        kind=m.TutorProfile.Kind.PRACTICE,
        organization=hospital,
    )
    grant(practice_tutor.user, Role.PRACTICE_TUTOR, hospital)
    other_tutor = TutorFactory(
        user=UserFactory(email="otis@example.org", full_name="Otis Tutor"),
        organization=program.lead_university,
    )
    student = StudentFactory(
        program=program, user=UserFactory(email="stan@example.org", full_name="Stan Student")
    )
    grant(student.user, Role.STUDENT, program)
    other_student = StudentFactory(
        program=program, user=UserFactory(email="olga@example.org", full_name="Olga Other")
    )
    grant(other_student.user, Role.STUDENT, program)
    AssignmentFactory(student=student, tutor=tutor)
    AssignmentFactory(student=student, tutor=practice_tutor)
    AssignmentFactory(student=other_student, tutor=other_tutor)
    placement = PlacementFactory(student=student, host=hospital, practice_tutor=practice_tutor)
    return Cast(
        program=program,
        hospital=hospital,
        other_hospital=other_hospital,
        program_admin=program_admin,
        coordinator=coordinator,
        other_coordinator=other_coordinator,
        tutor=tutor,
        practice_tutor=practice_tutor,
        other_tutor=other_tutor,
        student=student,
        other_student=other_student,
        placement=placement,
    )


@pytest.fixture
def inspector(cast: Cast, admin: Any) -> Any:
    from supervision.models import InspectionAssignment, InspectorProfile

    user = UserFactory(email="ingrid@example.org", full_name="Ingrid Inspector")
    InspectorProfile.objects.create(user=user, expertise="Clinical training")
    today = timezone.localdate()
    for target in ({"program": cast.program}, {"organization": cast.hospital}):
        InspectionAssignment.objects.create(
            inspector=user,
            valid_from=today - dt.timedelta(days=30),
            valid_until=today + dt.timedelta(days=180),
            created_by=admin,
            **target,
        )
    return user


@pytest.fixture
def everyone(cast: Cast, admin: Any, outsider: Any, inspector: Any) -> dict[str, Any]:
    """Each name of `API_ROLES` -> its user (None for "anonymous")."""
    beside = ("admin", "other_coordinator")
    people = {name: who(cast, name, outsider) for name in CAST_ROLES if name not in beside}
    return {
        **people,
        "admin": admin,
        "other_coordinator": cast.other_coordinator,
        "inspector": inspector,
        "anonymous": None,
    }
