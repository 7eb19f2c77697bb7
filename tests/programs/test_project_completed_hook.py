"""The explicit hook of `update_project_status`: callbacks registered with
`on_project_completed` run, in the same transaction, when (and only when) a project becomes
completed; an error in one undoes the completion."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from programs import models as m
from programs.projects import services as projects
from tests.cast import Cast

pytestmark = pytest.mark.django_db


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Only this test's callback is registered (the ledger's is put back afterwards)."""
    seen: list[dict[str, Any]] = []
    monkeypatch.setattr(projects, "_completed_callbacks", [])

    def record(**kwargs: Any) -> None:
        kwargs["status_in_db"] = m.Project.objects.get(pk=kwargs["project"].pk).status
        seen.append(kwargs)

    projects.on_project_completed(record)
    projects.on_project_completed(record)  # registered once
    return seen


def active_project(cast: Cast) -> m.Project:
    m.ProgramPartner.objects.create(
        program=cast.program, organization=cast.hospital, agreement_start=dt.date(2025, 9, 1)
    )
    return m.Project.objects.create(
        program=cast.program,
        title="Hooked",
        kind="research",
        size="small",
        status="active",
        lead_organization=cast.program.lead_university,
    )


def member(cast: Cast, project: m.Project) -> Any:
    """A student member, who asks for the completion (someone else confirms it)."""
    m.ProjectMember.objects.create(project=project, user=cast.student.user)
    return cast.student.user


def test_callbacks_run_once_when_a_project_is_completed(
    cast: Cast, calls: list[dict[str, Any]]
) -> None:
    project = active_project(cast)
    projects.request_completion(user=member(cast, project), project=project)
    assert calls == []  # asked for, not yet confirmed
    projects.confirm_completion(user=cast.program_admin, project=project)
    assert len(calls) == 1
    assert calls[0]["project"] == project
    assert calls[0]["user"] == cast.program_admin
    assert calls[0]["status_in_db"] == "completed"  # saved before, same transaction


def test_callbacks_do_not_run_for_other_statuses(cast: Cast, calls: list[dict[str, Any]]) -> None:
    project = active_project(cast)
    projects.update_project_status(user=cast.program_admin, project=project, status="failed")
    assert calls == []


def test_an_error_in_a_callback_undoes_the_completion(
    cast: Cast, calls: list[dict[str, Any]]
) -> None:
    def broken(**kwargs: Any) -> None:
        raise RuntimeError("no")

    projects.on_project_completed(broken)
    project = active_project(cast)
    projects.request_completion(user=member(cast, project), project=project)
    with pytest.raises(RuntimeError):
        projects.confirm_completion(user=cast.program_admin, project=project)
    assert m.Project.objects.get(pk=project.pk).status == "active"
