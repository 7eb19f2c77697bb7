"""The ledger tests' world: the programs cast, with `hospital` a partner of the program, and
a helper that completes a project of a given size through the programs service (so that the
ledger's hook runs as it does in the portal).

`project(...)` is led by the program's lead university with `hospital` as partner, and has
Stan (student) and Tom (academic tutor) as members; completing it awards Stan, Tom, the lead
university and the hospital. Olga, Otis, Pia and Otto's organisation are in no project.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from typing import Any

import pytest

from accounts.models import User
from programs import models as m
from programs.projects.services import confirm_completion, request_completion
from tests.cast import Cast
from tests.evaluation.conftest import by_role
from tests.factories import PortalAdminFactory

_serial = itertools.count()


@pytest.fixture
def world(cast: Cast) -> Cast:
    m.ProgramPartner.objects.create(
        program=cast.program, organization=cast.hospital, agreement_start=dt.date(2025, 9, 1)
    )
    return cast


@pytest.fixture
def people(world: Cast, admin: User, outsider: User) -> dict[str, Any]:
    return by_role(world, admin, outsider)


def make_project(
    world: Cast, *, size: str = "medium", members: list[User] | None = None
) -> m.Project:
    project = m.Project.objects.create(
        program=world.program,
        title=f"Project {next(_serial)}",
        kind=m.Project.Kind.RESEARCH,
        size=size,
        status=m.Project.Status.ACTIVE,
        lead_organization=world.program.lead_university,
    )
    project.partner_organizations.add(world.hospital)
    for user in members if members is not None else [world.student.user, world.tutor.user]:
        m.ProjectMember.objects.create(project=project, user=user)
    return project


@pytest.fixture
def complete(world: Cast) -> Callable[..., m.Project]:
    def done(size: str = "medium", members: list[User] | None = None) -> m.Project:
        project = make_project(world, size=size, members=members)
        # Someone says it is done; the program's administrator confirms: points awarded.
        request_completion(user=PortalAdminFactory(), project=project)
        return confirm_completion(user=world.program_admin, project=project)

    return done
