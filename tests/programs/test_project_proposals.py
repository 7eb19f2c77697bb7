"""Projects proposed by students and tutors, approved or refused (with a reason) by the lead's
coordinator or the program's administrators (never their own proposal), and completed in two
steps: asked for, then confirmed by someone other than the proposer and the asker; only the
confirmation awards the ledger's points."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from evaluation.models import RewardEntry
from programs import models as m
from programs.projects import services as s
from tests.cast import Cast
from tests.clients import api_for, client_for
from tests.queries import assert_flat_queries

from .factories import StudentFactory

pytestmark = pytest.mark.django_db

Status = m.Project.Status


@pytest.fixture
def world(cast: Cast) -> Cast:
    """The cast, with `hospital` a partner of the program (coordinated by `coordinator`)."""
    m.ProgramPartner.objects.create(
        program=cast.program, organization=cast.hospital, agreement_start=dt.date(2025, 9, 1)
    )
    return cast


def propose(cast: Cast, user: Any, **fields: Any) -> m.Project:
    values: dict[str, Any] = {
        "program": cast.program,
        "title": "Dose tracking dashboard",
        "kind": m.Project.Kind.ENGINEERING,
        "size": m.Project.Size.SMALL,
        "lead_organization": cast.hospital,
        "start_date": dt.date(2026, 2, 1),
        **fields,
    }
    return s.create_project(user=user, **values)


def running(cast: Cast, proposer: Any) -> m.Project:
    """A project proposed by `proposer`, approved and active."""
    project = propose(cast, proposer)
    approver = cast.program_admin if proposer != cast.program_admin else cast.coordinator
    s.update_project_status(user=approver, project=project, status=Status.APPROVED)
    s.update_project_status(user=cast.coordinator, project=project, status=Status.ACTIVE)
    if not project.members.filter(user=cast.student.user).exists():
        s.add_member(user=cast.program_admin, project=project, member_user=cast.student.user)
    return project


# ---- Proposing -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["student", "tutor", "practice_tutor"])
def test_students_and_tutors_propose_projects_they_lead(world: Cast, name: str) -> None:
    user = {
        "student": world.student.user,
        "tutor": world.tutor.user,
        "practice_tutor": world.practice_tutor.user,
    }[name]
    project = propose(world, user, lead_organization=world.program.lead_university)
    assert (project.status, project.proposed_by) == (Status.PROPOSED, user)
    assert list(project.members.values_list("user", "role")) == [(user.pk, "lead")]
    assert m.Project.objects.visible_to(user).filter(pk=project.pk).exists()


def test_a_student_of_another_program_cannot_propose(world: Cast) -> None:
    stranger = StudentFactory()
    with pytest.raises(PermissionDenied):
        propose(world, stranger.user)


def test_a_suspended_student_cannot_propose(world: Cast) -> None:
    m.Student.objects.filter(pk=world.student.pk).update(status=m.Student.Status.SUSPENDED)
    with pytest.raises(PermissionDenied):
        propose(world, world.student.user)


# ---- Approving and refusing ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "result"),
    [
        ("program_admin", Status.APPROVED),
        ("coordinator", Status.APPROVED),  # the lead organisation's coordinator
        ("student", 403),  # the proposer
        ("tutor", 403),
        ("other_coordinator", 403),
    ],
)
def test_who_approves_a_students_proposal(world: Cast, name: str, result: Any) -> None:
    project = propose(world, world.student.user)
    user = {
        "program_admin": world.program_admin,
        "coordinator": world.coordinator,
        "student": world.student.user,
        "tutor": world.tutor.user,
        "other_coordinator": world.other_coordinator,
    }[name]
    if result == 403:
        with pytest.raises(PermissionDenied):
            s.update_project_status(user=user, project=project, status=Status.APPROVED)
        result = Status.PROPOSED
    else:
        s.update_project_status(user=user, project=project, status=Status.APPROVED)
    assert m.Project.objects.get().status == result


def test_a_refusal_needs_a_reason_which_the_proposer_sees(world: Cast) -> None:
    project = propose(world, world.student.user)
    with pytest.raises(ValidationError) as caught:
        s.refuse_project(user=world.coordinator, project=project, reason=" ")
    assert caught.value.message_dict == {"reason": ["Say why the proposal is refused."]}
    s.refuse_project(user=world.coordinator, project=project, reason="Overlaps the MR study.")
    page = client_for(world.student.user).get(reverse("programs:project-detail", args=[project.pk]))
    assert "Overlaps the MR study." in page.content.decode()
    assert m.Project.objects.get().status == Status.REFUSED
    with pytest.raises(ValidationError):
        s.refuse_project(user=world.program_admin, project=project, reason="Again")


def test_the_proposer_cannot_refuse_their_own_proposal(world: Cast) -> None:
    project = propose(world, world.coordinator)
    with pytest.raises(PermissionDenied):
        s.refuse_project(user=world.coordinator, project=project, reason="Changed my mind")


def test_refusing_through_the_page_and_the_api(world: Cast) -> None:
    first = propose(world, world.student.user)
    url = reverse("programs:project-refuse", args=[first.pk])
    assert client_for(world.student.user).post(url, {"reason": "x"}).status_code == 403
    shown = client_for(world.coordinator).post(url, {"reason": ""})
    assert shown.status_code == 200 and shown.context["refuse_form"].errors
    assert client_for(world.coordinator).post(url, {"reason": "Too big."}).status_code == 302
    second = propose(world, world.student.user, title="Second")
    api_url = reverse("api:project-refuse", args=[second.pk])
    assert api_for(world.tutor.user).post(api_url, {"reason": "x"}).status_code == 403
    assert api_for(world.other_coordinator).post(api_url, {"reason": "x"}).status_code == 404
    assert api_for(world.program_admin).post(api_url, {"reason": ""}).status_code == 400
    done = api_for(world.program_admin).post(api_url, {"reason": "Not now."}, format="json")
    assert (done.status_code, done.data["status"]) == (200, "refused")
    assert done.data["refusal_reason"] == "Not now."


# ---- Completion in two steps and the ledger -------------------------------------------------


def test_points_are_awarded_only_when_someone_else_confirms_the_completion(world: Cast) -> None:
    project = running(world, world.coordinator)
    s.request_completion(user=world.student.user, project=project)
    project.refresh_from_db()
    assert project.status == Status.ACTIVE
    assert not RewardEntry.objects.exists()
    with pytest.raises(PermissionDenied):  # the proposer
        s.confirm_completion(user=world.coordinator, project=project)
    assert not RewardEntry.objects.exists()
    s.confirm_completion(user=world.program_admin, project=project)
    project.refresh_from_db()
    assert (project.status, project.completion_confirmed_by) == (
        Status.COMPLETED,
        world.program_admin,
    )
    assert RewardEntry.objects.exists()


def test_who_asked_for_the_completion_does_not_confirm_it(world: Cast) -> None:
    project = running(world, world.student.user)
    s.request_completion(user=world.program_admin, project=project)
    with pytest.raises(PermissionDenied):
        s.confirm_completion(user=world.program_admin, project=project)
    s.confirm_completion(user=world.coordinator, project=project)
    assert m.Project.objects.get().status == Status.COMPLETED


def test_completion_is_confirmed_only_after_it_was_asked_for(world: Cast) -> None:
    project = running(world, world.student.user)
    with pytest.raises(ValidationError):
        s.confirm_completion(user=world.coordinator, project=project)
    s.request_completion(user=world.student.user, project=project)
    with pytest.raises(ValidationError):
        s.request_completion(user=world.student.user, project=project)  # asked once
    assert not RewardEntry.objects.exists()


def test_outsiders_to_the_project_do_not_ask_for_its_completion(world: Cast) -> None:
    project = running(world, world.coordinator)
    with pytest.raises(PermissionDenied):
        s.request_completion(user=world.other_student.user, project=project)


def test_completing_through_the_pages(world: Cast) -> None:
    project = running(world, world.coordinator)
    detail = reverse("programs:project-detail", args=[project.pk])
    ask = reverse("programs:project-completion", args=[project.pk, "request"])
    confirm = reverse("programs:project-completion", args=[project.pk, "confirm"])
    student = client_for(world.student.user)
    assert ask in student.get(detail).content.decode()
    assert student.post(ask).status_code == 302
    assert confirm not in client_for(world.coordinator).get(detail).content.decode()
    assert client_for(world.coordinator).post(confirm).status_code == 403  # the proposer
    assert client_for(world.other_coordinator).post(confirm).status_code == 404
    admin = client_for(world.program_admin)
    assert confirm in admin.get(detail).content.decode()
    assert admin.post(confirm).status_code == 302
    assert m.Project.objects.get().status == Status.COMPLETED
    assert RewardEntry.objects.exists()


def test_completing_through_the_api(world: Cast) -> None:
    project = running(world, world.coordinator)
    ask = reverse("api:project-completion-request", args=[project.pk])
    confirm = reverse("api:project-completion-confirm", args=[project.pk])
    assert api_for(world.program_admin).post(confirm).status_code == 400  # not asked yet
    asked = api_for(world.student.user).post(ask)
    assert (asked.status_code, asked.data["completion_requested_by"]) == (200, "stan@example.org")
    assert api_for(world.coordinator).post(confirm).status_code == 403  # the proposer
    done = api_for(world.program_admin).post(confirm)
    assert (done.status_code, done.data["status"]) == (200, "completed")
    assert done.data["proposed_by"] == "cora@example.org"


def test_the_project_detail_query_count_stays_flat_with_the_new_fields(world: Cast) -> None:
    project = running(world, world.coordinator)
    s.request_completion(user=world.student.user, project=project)
    admin = client_for(world.program_admin)
    detail = reverse("programs:project-detail", args=[project.pk])

    def grow() -> None:
        for _ in range(3):
            student: m.Student = StudentFactory.create(program=world.program)
            m.ProjectMember.objects.create(project=project, user=student.user)

    assert_flat_queries(lambda: admin.get(detail), grow, max_queries=25)
    api = api_for(world.program_admin)
    assert_flat_queries(lambda: api.get(reverse("api:project-list")), grow, max_queries=12)
