"""The programs cast's names and helpers, for any test module to import (the fixtures that
build the cast live in tests/plugins/cast.py, loaded for every test by tests/conftest.py):

- `Cast`: what the `cast` fixture returns, one program with two hospitals:
  `program_admin` (Petra) administers `program`; `coordinator` (Cora) coordinates `hospital`,
  which hosts `student`'s placement; `tutor` (Tom, academic) supervises `student`;
  `practice_tutor` (Pia, at `hospital`) too; `student` (Stan) and `other_student` (Olga,
  supervised by `other_tutor`); `other_coordinator` (of `other_hospital`);
- `CAST_ROLES`, `API_ROLES`: the role names the permission tests enumerate;
- `who(cast, name, outsider)`: the user behind a role name;
- `matrix(roles, **codes)`: a permission matrix, one expected outcome per role.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from programs import models as m

#: Every role of the cast (and the two accounts beside it: "admin", the portal
#: administrator, and "outsider", signed in with no role), as the tests name them.
CAST_ROLES = (
    "admin",
    "program_admin",
    "coordinator",
    "other_coordinator",
    "tutor",
    "practice_tutor",
    "other_tutor",
    "student",
    "other_student",
    "outsider",
)

#: The roles an API test enumerates: the cast, an inspector assigned to the program and the
#: hospital, and the anonymous caller; the `everyone` fixture maps each to its user.
API_ROLES = (*CAST_ROLES, "inspector", "anonymous")


@dataclass
class Cast:
    program: m.Program
    hospital: m.Organization
    other_hospital: m.Organization
    program_admin: Any
    coordinator: Any
    other_coordinator: Any
    tutor: m.TutorProfile
    practice_tutor: m.TutorProfile
    other_tutor: m.TutorProfile
    student: m.Student
    other_student: m.Student
    placement: m.Placement


def who(cast: Cast, name: str, outsider: Any) -> Any:
    """The user behind a cast member's name (for parametrised role tests)."""
    return {
        "tutor": cast.tutor.user,
        "practice_tutor": cast.practice_tutor.user,
        "other_tutor": cast.other_tutor.user,
        "student": cast.student.user,
        "other_student": cast.other_student.user,
        "coordinator": cast.coordinator,
        "program_admin": cast.program_admin,
        "outsider": outsider,
    }[name]


def matrix(roles: Iterable[str], **outcomes: Any) -> list[tuple[str, Any]]:
    """`(role, expected)` pairs for `pytest.mark.parametrize`, one for each of `roles`:
    a role left out or one too many fails at collection, naming the difference."""
    names = set(roles)
    assert set(outcomes) == names, names ^ set(outcomes)
    return list(outcomes.items())
