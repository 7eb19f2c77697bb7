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

from accounts.models import RoleMembership, User
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
    UniversityFactory,
    membership,
)


def _people(**names: str) -> dict[str, Any]:
    """Unsaved accounts, one per keyword: `key="email|Full Name"`."""
    return {
        key: UserFactory.build(email=email, full_name=full_name)
        for key, (email, full_name) in ((k, v.split("|")) for k, v in names.items())
    }


@pytest.fixture
def cast(db: None) -> Cast:
    """The cast, built as the factories build it but saved one table at a time: the same
    rows (and history events) in the same order as saving each object in turn, in 8
    queries instead of 27: most tests take the cast, so its cost is paid thousands of times.
    """
    university = UniversityFactory.build()
    hospital = OrganizationFactory.build(name="First Hospital")
    other_hospital = OrganizationFactory.build(name="Second Hospital")
    m.Organization.objects.bulk_create([university, hospital, other_hospital])
    program = ProgramFactory(lead_university=university)
    people = _people(
        program_admin="petra@example.org|Petra Progadmin",
        coordinator="cora@example.org|Cora Coordinator",
        other_coordinator="otto@example.org|Otto Coordinator",
        tutor="tom@example.org|Tom Tutor",
        practice_tutor="pia@example.org|Pia Practice",
        other_tutor="otis@example.org|Otis Tutor",
        student="stan@example.org|Stan Student",
        other_student="olga@example.org|Olga Other",
    )
    User.objects.bulk_create(people.values())
    tutor = TutorFactory.build(user=people["tutor"], organization=university)
    practice_tutor = TutorFactory.build(
        user=people["practice_tutor"], kind=m.TutorProfile.Kind.PRACTICE, organization=hospital
    )
    other_tutor = TutorFactory.build(user=people["other_tutor"], organization=university)
    m.TutorProfile.objects.bulk_create([tutor, practice_tutor, other_tutor])
    student = StudentFactory.build(program=program, user=people["student"])
    other_student = StudentFactory.build(program=program, user=people["other_student"])
    m.Student.objects.bulk_create([student, other_student])
    RoleMembership.objects.bulk_create(
        membership(people[name], role, scope)
        for name, role, scope in (
            ("program_admin", Role.PROGRAM_ADMIN, program),
            ("coordinator", Role.PARTNER_COORDINATOR, hospital),
            ("other_coordinator", Role.PARTNER_COORDINATOR, other_hospital),
            ("tutor", Role.ACADEMIC_TUTOR, university),
            ("practice_tutor", Role.PRACTICE_TUTOR, hospital),
            ("student", Role.STUDENT, program),
            ("other_student", Role.STUDENT, program),
        )
    )
    m.TutorAssignment.objects.bulk_create(
        [
            AssignmentFactory.build(student=student, tutor=tutor),
            AssignmentFactory.build(student=student, tutor=practice_tutor),
            AssignmentFactory.build(student=other_student, tutor=other_tutor),
        ]
    )
    placement = PlacementFactory(student=student, host=hospital, practice_tutor=practice_tutor)
    return Cast(
        program=program,
        hospital=hospital,
        other_hospital=other_hospital,
        program_admin=people["program_admin"],
        coordinator=people["coordinator"],
        other_coordinator=people["other_coordinator"],
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
    InspectionAssignment.objects.bulk_create(
        InspectionAssignment(
            inspector=user,
            valid_from=today - dt.timedelta(days=30),
            valid_until=today + dt.timedelta(days=180),
            created_by=admin,
            **target,
        )
        for target in ({"program": cast.program}, {"organization": cast.hospital})
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
