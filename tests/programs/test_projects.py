"""Projects: the service rules (who proposes, which organisations, the status workflow kept in
the history, members, outputs), the API for every role of the cast, and the pages.

In these stories `hospital` (coordinated by Cora) is a partner of the program and leads the
projects; `other_hospital` (Otto) takes no part in them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from programs import models as m
from programs.projects import services as s
from programs.projects.permissions import (
    can_create_project,
    can_manage_project,
    can_set_project_status,
)
from tests.cast import Cast, matrix, who
from tests.clients import api_for, client_for
from tests.factories import UserFactory
from tests.queries import assert_flat_queries

from .factories import OrganizationFactory, ProgramFactory, StudentFactory, TutorFactory, grant

pytestmark = pytest.mark.django_db

Status = m.Project.Status
START = dt.date(2026, 1, 5)


@pytest.fixture
def world(cast: Cast) -> Cast:
    """The cast, with `hospital` a partner of the program."""
    m.ProgramPartner.objects.create(
        program=cast.program, organization=cast.hospital, agreement_start=dt.date(2025, 9, 1)
    )
    return cast


def person(cast: Cast, name: str, outsider: User) -> Any:
    if name == "anonymous":
        return None
    if name == "other_coordinator":
        return cast.other_coordinator
    return who(cast, name, outsider)


def make_project(cast: Cast, **fields: Any) -> m.Project:
    """A project led by `hospital`, with `student` as its lead member."""
    values: dict[str, Any] = {
        "program": cast.program,
        "title": "Low-dose CT reconstruction",
        "kind": m.Project.Kind.RESEARCH,
        "size": m.Project.Size.SMALL,
        "lead_organization": cast.hospital,
        "start_date": START,
    }
    values.update(fields)
    project = m.Project.objects.create(**values)
    m.ProjectMember.objects.create(
        project=project, user=cast.student.user, role=m.ProjectMember.Role.LEAD
    )
    return project


def create(cast: Cast, user: Any, **fields: Any) -> m.Project:
    values: dict[str, Any] = {
        "program": cast.program,
        "title": "AI triage of chest X-rays",
        "kind": m.Project.Kind.ENGINEERING,
        "size": m.Project.Size.MEDIUM,
        "lead_organization": cast.hospital,
        "partner_organizations": [],
        "start_date": START,
        "end_date": dt.date(2026, 12, 31),
        "description": "",
    }
    values.update(fields)
    return s.create_project(user=user, **values)


def errors_of(excinfo: Any) -> dict[str, list[str]]:
    return dict(excinfo.value.message_dict)


# ---- Service: proposing a project ----------------------------------------------------------


def test_a_program_administrator_proposes_a_project_with_partners(world: Cast) -> None:
    university = world.program.lead_university
    project = create(world, world.program_admin, partner_organizations=[university])
    assert project.status == Status.PROPOSED
    assert list(project.partner_organizations.all()) == [university]


def test_the_lead_organisations_coordinator_proposes_a_project(world: Cast) -> None:
    project = create(world, world.coordinator)
    assert project.lead_organization == world.hospital


def test_a_coordinator_proposes_only_for_the_organisation_they_coordinate(world: Cast) -> None:
    with pytest.raises(ValidationError) as excinfo:
        create(world, world.coordinator, lead_organization=world.program.lead_university)
    assert errors_of(excinfo) == {
        "lead_organization": ["You can propose projects only for an organisation you coordinate."]
    }


@pytest.mark.parametrize("name", ["outsider"])
def test_outsiders_cannot_propose_projects(world: Cast, outsider: User, name: str) -> None:
    with pytest.raises(PermissionDenied):
        create(world, person(world, name, outsider))
    assert not m.Project.objects.exists()


def test_the_coordinator_of_an_organisation_outside_the_program_cannot_propose(
    world: Cast,
) -> None:
    assert not can_create_project(world.other_coordinator, world.program)
    with pytest.raises(PermissionDenied):
        create(world, world.other_coordinator, lead_organization=world.other_hospital)


def test_lead_and_partner_organisations_must_take_part_in_the_program(world: Cast) -> None:
    with pytest.raises(ValidationError) as excinfo:
        create(
            world,
            world.program_admin,
            lead_organization=world.other_hospital,
            partner_organizations=[world.other_hospital],
        )
    assert errors_of(excinfo) == {
        "lead_organization": [
            "The lead organisation must be the program's lead university or one of its partners."
        ],
        "partner_organizations": ["Not a partner of the program: Second Hospital."],
    }
    assert not m.Project.objects.exists()


def test_an_inactive_partnership_does_not_count(world: Cast) -> None:
    m.ProgramPartner.objects.filter(organization=world.hospital).update(is_active=False)
    with pytest.raises(ValidationError) as excinfo:
        create(world, world.program_admin)
    assert set(errors_of(excinfo)) == {"lead_organization"}


def test_the_lead_is_not_also_a_partner(world: Cast) -> None:
    with pytest.raises(ValidationError) as excinfo:
        create(world, world.program_admin, partner_organizations=[world.hospital])
    assert errors_of(excinfo) == {
        "partner_organizations": ["The lead organisation is not also one of the partners."]
    }


def test_a_project_cannot_end_before_it_starts(world: Cast) -> None:
    with pytest.raises(ValidationError) as excinfo:
        create(world, world.program_admin, end_date=dt.date(2025, 12, 31))
    assert errors_of(excinfo) == {
        "end_date": ["The project cannot end (31 December 2025) before it starts (5 January 2026)."]
    }
    assert not m.Project.objects.exists()


def test_bad_fields_are_reported_together(world: Cast) -> None:
    with pytest.raises(ValidationError) as excinfo:
        create(world, world.program_admin, title="  ", kind="hobby", size="huge")
    assert set(errors_of(excinfo)) == {"title", "kind", "size"}


def test_a_closed_program_takes_no_new_projects(world: Cast) -> None:
    world.program.status = m.Program.Status.CLOSED
    world.program.save()
    with pytest.raises(ValidationError) as excinfo:
        create(world, world.program_admin)
    assert errors_of(excinfo) == {"__all__": ["The program is closed; it takes no new projects."]}


# ---- Service: the status workflow ----------------------------------------------------------


def test_a_project_goes_from_proposed_to_completed_and_the_history_says_who(world: Cast) -> None:
    project = make_project(world)
    s.update_project_status(user=world.program_admin, project=project, status=Status.APPROVED)
    s.update_project_status(user=world.coordinator, project=project, status=Status.ACTIVE)
    s.request_completion(user=world.student.user, project=project)
    s.confirm_completion(user=world.coordinator, project=project)
    project.refresh_from_db()
    assert project.status == Status.COMPLETED
    events = (
        apps.get_model("programs", "ProjectEvent")
        ._default_manager.filter(pgh_obj_id=project.pk, pgh_label="update")
        .order_by("pgh_id")
        .values_list("status", "pgh_context__metadata__user")
    )
    assert list(events) == [
        (Status.APPROVED, world.program_admin.pk),
        (Status.ACTIVE, world.coordinator.pk),
        (Status.ACTIVE, world.student.user.pk),  # asks for the completion
        (Status.COMPLETED, world.coordinator.pk),  # confirms it
    ]


@pytest.mark.parametrize("start", [Status.PROPOSED, Status.ACTIVE])
def test_a_proposed_or_active_project_can_fail(world: Cast, start: str) -> None:
    project = make_project(world, status=start)
    s.update_project_status(user=world.program_admin, project=project, status=Status.FAILED)
    assert m.Project.objects.get().status == Status.FAILED


@pytest.mark.parametrize(
    ("start", "to", "message"),
    [
        (
            Status.PROPOSED,
            Status.ACTIVE,
            "A “Proposed” project can become “Approved” or “Failed”.",
        ),
        (Status.APPROVED, Status.FAILED, "A “Approved” project can only become “Active”."),
        (Status.APPROVED, Status.COMPLETED, "A “Approved” project can only become “Active”."),
        (Status.COMPLETED, Status.ACTIVE, "A “Completed” project no longer changes status."),
        (Status.FAILED, Status.PROPOSED, "A “Failed” project no longer changes status."),
        (Status.ACTIVE, Status.ACTIVE, "The project is already “Active”."),
        (Status.ACTIVE, "paused", "A “Active” project can only become “Failed”."),
        (
            Status.ACTIVE,
            Status.COMPLETED,
            "Ask for the project's completion; someone other than its proposer confirms it.",
        ),
    ],
)
def test_other_status_changes_are_refused_with_a_message(
    world: Cast, start: str, to: str, message: str
) -> None:
    project = make_project(world, status=start)
    with pytest.raises(ValidationError) as excinfo:
        s.update_project_status(user=world.program_admin, project=project, status=to)
    assert errors_of(excinfo) == {"status": [message]}
    assert m.Project.objects.get().status == start


def test_nobody_approves_their_own_proposal(world: Cast) -> None:
    project = create(world, world.coordinator)
    assert not can_set_project_status(world.coordinator, project, Status.APPROVED)
    with pytest.raises(PermissionDenied):
        s.update_project_status(user=world.coordinator, project=project, status=Status.APPROVED)
    # The coordinator may still give up on their own proposal.
    s.update_project_status(user=world.coordinator, project=project, status=Status.FAILED)


def test_the_lead_organisations_coordinator_approves_someone_elses_proposal(
    world: Cast,
) -> None:
    project = create(world, world.student.user)
    s.update_project_status(user=world.coordinator, project=project, status=Status.APPROVED)
    assert m.Project.objects.get().status == Status.APPROVED


@pytest.mark.parametrize("name", ["tutor", "practice_tutor", "student", "outsider"])
def test_members_and_tutors_do_not_run_the_project(world: Cast, outsider: User, name: str) -> None:
    project = make_project(world, status=Status.ACTIVE)
    user = person(world, name, outsider)
    with pytest.raises(PermissionDenied):
        s.update_project_status(user=user, project=project, status=Status.COMPLETED)
    with pytest.raises(PermissionDenied):
        s.add_output(user=user, project=project, kind="paper", title="x")
    with pytest.raises(PermissionDenied):
        s.add_member(user=user, project=project, member_user=world.other_student.user)


def test_the_coordinator_of_a_partner_organisation_does_not_run_the_project(world: Cast) -> None:
    project = make_project(world, lead_organization=world.program.lead_university)
    project.partner_organizations.add(world.hospital)
    assert not can_manage_project(world.coordinator, project)
    assert m.Project.objects.visible_to(world.coordinator).filter(pk=project.pk).exists()


# ---- Service: members and outputs ----------------------------------------------------------


def test_students_of_the_program_and_staff_of_the_projects_organisations_join(
    world: Cast,
) -> None:
    project = make_project(world)
    staff = UserFactory.create(full_name="Hana Hospital")
    grant(staff, Role.PARTNER_COORDINATOR, world.hospital)
    joining: list[tuple[User, str]] = [
        (world.other_student.user, m.ProjectMember.Role.MEMBER),
        (world.practice_tutor.user, m.ProjectMember.Role.ADVISOR),
        (staff, m.ProjectMember.Role.MEMBER),
    ]
    for member_user, role in joining:
        s.add_member(user=world.coordinator, project=project, member_user=member_user, role=role)
    assert set(project.members.values_list("user__email", "role")) == {
        ("stan@example.org", "lead"),
        ("olga@example.org", "member"),
        ("pia@example.org", "advisor"),
        (staff.email, "member"),
    }


def test_a_tutor_of_an_organisation_outside_the_project_cannot_join_until_it_partners(
    world: Cast,
) -> None:
    project = make_project(world)
    with pytest.raises(ValidationError) as excinfo:
        s.add_member(user=world.program_admin, project=project, member_user=world.tutor.user)
    assert errors_of(excinfo) == {
        "member_user": [
            "Tom Tutor is neither a student of the program nor a tutor or coordinator of the "
            "project's organisations."
        ]
    }
    project.partner_organizations.add(world.program.lead_university)
    s.add_member(user=world.program_admin, project=project, member_user=world.tutor.user)


def test_a_student_of_another_program_or_an_outsider_cannot_join(
    world: Cast, outsider: User
) -> None:
    project = make_project(world)
    stranger = StudentFactory.create(program=ProgramFactory.create()).user
    for member_user in (stranger, outsider):
        with pytest.raises(ValidationError) as excinfo:
            s.add_member(user=world.program_admin, project=project, member_user=member_user)
        assert set(errors_of(excinfo)) == {"member_user"}
    assert project.members.count() == 1


def test_nobody_joins_twice(world: Cast) -> None:
    project = make_project(world)
    with pytest.raises(ValidationError) as excinfo:
        s.add_member(user=world.program_admin, project=project, member_user=world.student.user)
    assert errors_of(excinfo) == {
        "member_user": ["Stan Student is already a member of the project."]
    }


def test_members_are_removed_but_not_once_the_project_is_closed(world: Cast) -> None:
    project = make_project(world)
    s.add_member(user=world.coordinator, project=project, member_user=world.other_student.user)
    s.remove_member(user=world.coordinator, project=project, member_user=world.other_student.user)
    with pytest.raises(ValidationError) as excinfo:
        s.remove_member(
            user=world.coordinator, project=project, member_user=world.other_student.user
        )
    assert errors_of(excinfo) == {"member_user": ["Olga Other is not a member of the project."]}
    project.status = Status.COMPLETED
    project.save()
    for change in (s.add_member, s.remove_member):
        with pytest.raises(ValidationError) as excinfo:
            change(user=world.coordinator, project=project, member_user=world.student.user)
        assert "__all__" in errors_of(excinfo)
    assert list(project.members.values_list("user__email", flat=True)) == ["stan@example.org"]


def test_outputs_are_dated_between_the_start_and_today(world: Cast) -> None:
    project = make_project(world, status=Status.ACTIVE)
    output = s.add_output(
        user=world.coordinator,
        project=project,
        kind=m.ProjectOutput.Kind.PAPER,
        title="  Deep learning for low-dose CT ",
        reference="doi:10.1000/182",
        produced_on=dt.date(2026, 6, 1),
    )
    assert output.title == "Deep learning for low-dose CT"
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    for produced_on, message in [
        (tomorrow, "The date cannot be in the future."),
        (dt.date(2025, 12, 1), "The date cannot be before the project started (5 January 2026)."),
    ]:
        with pytest.raises(ValidationError) as excinfo:
            s.add_output(
                user=world.coordinator,
                project=project,
                kind="patent",
                title="x",
                produced_on=produced_on,
            )
        assert errors_of(excinfo) == {"produced_on": [message]}
    with pytest.raises(ValidationError) as excinfo:
        s.add_output(user=world.coordinator, project=project, kind="poem", title="")
    assert set(errors_of(excinfo)) == {"kind", "title"}
    assert project.outputs.count() == 1


# ---- API -----------------------------------------------------------------------------------

API_CAST = [
    "program_admin",
    "coordinator",
    "other_coordinator",
    "tutor",
    "practice_tutor",
    "student",
    "other_student",
    "outsider",
    "anonymous",
]


def project_payload(cast: Cast, **fields: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "program": cast.program.pk,
        "title": "Ultrasound phantom kit",
        "kind": "entrepreneurship",
        "size": "small",
        "lead_organization": cast.hospital.pk,
        "partner_organizations": [cast.program.lead_university_id],
        "start_date": "2026-02-01",
        "end_date": "2026-10-31",
    }
    payload.update(fields)
    return payload


@pytest.mark.parametrize(
    ("name", "status"),
    matrix(
        API_CAST,
        program_admin=201,
        coordinator=201,
        other_coordinator=400,  # the program is not theirs to see: no such program
        tutor=201,  # of the lead university
        practice_tutor=201,  # of a partner
        student=201,
        other_student=201,
        outsider=400,
        anonymous=401,
    ),
)
def test_api_create_by_role(world: Cast, outsider: User, name: str, status: int) -> None:
    response = api_for(person(world, name, outsider)).post(
        reverse("api:project-list"), project_payload(world), format="json"
    )
    assert response.status_code == status, response.data
    if status == 201:
        assert response.data["status"] == "proposed"
        assert response.data["partner_organizations"] == [world.program.lead_university_id]
    else:
        assert not m.Project.objects.exists()


@pytest.mark.parametrize(
    ("name", "status"),
    matrix(
        API_CAST,
        program_admin=200,
        coordinator=200,
        other_coordinator=404,
        tutor=200,  # the student is a member
        practice_tutor=200,
        student=200,
        other_student=404,
        outsider=404,
        anonymous=401,
    ),
)
def test_api_read_by_role(world: Cast, outsider: User, name: str, status: int) -> None:
    project = make_project(world)
    api = api_for(person(world, name, outsider))
    response = api.get(reverse("api:project-detail", args=[project.pk]))
    assert response.status_code == status
    if status == 200:
        assert response.data["members"] == [
            {"user": world.student.user.pk, "email": "stan@example.org", "role": "lead"}
        ]


@pytest.mark.parametrize(
    ("name", "status"),
    matrix(
        API_CAST,
        program_admin=200,
        coordinator=200,  # the lead's coordinator approves (not their own proposal)
        other_coordinator=404,
        tutor=403,
        practice_tutor=403,
        student=403,
        other_student=404,
        outsider=404,
        anonymous=401,
    ),
)
def test_api_approve_by_role(world: Cast, outsider: User, name: str, status: int) -> None:
    project = make_project(world)
    response = api_for(person(world, name, outsider)).post(
        reverse("api:project-status", args=[project.pk]), {"status": "approved"}, format="json"
    )
    assert response.status_code == status
    expected = Status.APPROVED if status == 200 else Status.PROPOSED
    assert m.Project.objects.get().status == expected


@pytest.mark.parametrize(
    ("name", "status"),
    matrix(
        API_CAST,
        program_admin=200,
        coordinator=200,
        other_coordinator=404,
        tutor=403,
        practice_tutor=403,
        student=403,
        other_student=404,
        outsider=404,
        anonymous=401,
    ),
)
def test_api_complete_by_role(world: Cast, outsider: User, name: str, status: int) -> None:
    project = make_project(world, status=Status.ACTIVE)
    s.request_completion(user=world.student.user, project=project)
    response = api_for(person(world, name, outsider)).post(
        reverse("api:project-completion-confirm", args=[project.pk]), format="json"
    )
    assert response.status_code == status
    if status == 200:
        assert response.data["status"] == "completed"
        assert response.data["completion_requested_by"] == "stan@example.org"


@pytest.mark.parametrize(
    ("name", "status"),
    matrix(
        API_CAST,
        program_admin=201,
        coordinator=201,
        other_coordinator=404,
        tutor=403,
        practice_tutor=403,
        student=403,
        other_student=404,
        outsider=404,
        anonymous=401,
    ),
)
def test_api_add_member_and_output_by_role(
    world: Cast, outsider: User, name: str, status: int
) -> None:
    project = make_project(world, status=Status.ACTIVE)
    api = api_for(person(world, name, outsider))
    joined = api.post(
        reverse("api:project-members", args=[project.pk]),
        {"email": "OLGA@example.org", "role": "member"},
        format="json",
    )
    produced = api.post(
        reverse("api:project-outputs", args=[project.pk]),
        {"kind": "software", "title": "Phantom QA tool", "produced_on": "2026-05-01"},
        format="json",
    )
    assert (joined.status_code, produced.status_code) == (status, status)
    if status == 201:
        assert {row["email"] for row in produced.data["members"]} == {
            "stan@example.org",
            "olga@example.org",
        }
        assert produced.data["outputs"] == [
            {
                "kind": "software",
                "title": "Phantom QA tool",
                "reference": "",
                "produced_on": "2026-05-01",
            }
        ]
    else:
        assert project.members.count() == 1 and not project.outputs.exists()


def test_api_removes_a_member(world: Cast) -> None:
    project = make_project(world)
    api = api_for(world.coordinator)
    url = reverse("api:project-member-remove", args=[project.pk])
    assert api_for(world.student.user).post(url, {"email": "x@y.org"}).status_code == 403
    response = api.post(url, {"email": "stan@example.org"}, format="json")
    assert response.status_code == 200 and response.data["members"] == []
    again = api.post(url, {"email": "stan@example.org"}, format="json")
    assert again.status_code == 400
    assert again.data == {"email": ["Stan Student is not a member of the project."]}
    # No longer a member, the student no longer sees the project.
    assert api_for(world.student.user).post(url, {"email": "x@y.org"}).status_code == 404


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"title": "", "kind": "hobby"}, {"title", "kind"}),
        ({"program": None, "size": None}, {"program", "size"}),
        ({"lead_organization": 999999}, {"lead_organization"}),
        ({"end_date": "2026-01-31"}, {"end_date"}),
        ({"start_date": "01/02/2026"}, {"start_date"}),
        ({"partner_organizations": "everyone"}, {"partner_organizations"}),
    ],
)
def test_api_create_answers_bad_input_with_field_errors(
    world: Cast, fields: dict[str, Any], errors: set[str]
) -> None:
    response = api_for(world.program_admin).post(
        reverse("api:project-list"), project_payload(world, **fields), format="json"
    )
    assert response.status_code == 400
    assert set(response.data) == errors
    assert not m.Project.objects.exists()


def test_api_create_reports_organisations_outside_the_program(world: Cast) -> None:
    response = api_for(world.program_admin).post(
        reverse("api:project-list"),
        project_payload(world, partner_organizations=[world.other_hospital.pk]),
        format="json",
    )
    assert response.status_code == 400
    assert response.data == {
        "partner_organizations": ["Not a partner of the program: Second Hospital."]
    }


def test_api_status_member_and_output_answer_bad_input_with_field_errors(world: Cast) -> None:
    project = make_project(world, status=Status.ACTIVE)
    api = api_for(world.coordinator)

    def post(action: str, data: dict[str, Any]) -> Any:
        return api.post(reverse(f"api:project-{action}", args=[project.pk]), data, format="json")

    assert post("status", {"status": "paused"}).data.keys() == {"status"}
    assert post("status", {"status": "proposed"}).data == {
        "status": ["A “Active” project can only become “Failed”."]
    }
    assert post("members", {"email": "nobody@example.org"}).data == {
        "email": ["No account with this e-mail address."]
    }
    assert post("members", {"email": "stan@example.org"}).data == {
        "email": ["Stan Student is already a member of the project."]
    }
    assert post("members", {"email": "olga@example.org", "role": "boss"}).data.keys() == {"role"}
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    response = post("outputs", {"kind": "paper", "title": "Preprint", "produced_on": future})
    assert response.status_code == 400
    assert response.data == {"produced_on": ["The date cannot be in the future."]}
    assert m.Project.objects.get().status == Status.ACTIVE
    assert project.members.count() == 1 and not project.outputs.exists()


def test_api_filters_and_orders_projects(world: Cast) -> None:
    first = make_project(world, title="B clinical", kind="clinical", start_date=START)
    second = m.Project.objects.create(
        program=world.program,
        title="A engineering",
        kind="engineering",
        size="big",
        lead_organization=world.hospital,
        status=Status.ACTIVE,
        start_date=dt.date(2026, 3, 1),
    )
    api = api_for(world.program_admin)

    def ids(**params: Any) -> list[int]:
        response = api.get(reverse("api:project-list"), params)
        assert response.status_code == 200
        return [row["id"] for row in response.data["results"]]

    assert ids(kind="clinical") == [first.pk]
    assert ids(size="big", status="active") == [second.pk]
    assert ids(program=world.program.pk, ordering="title") == [second.pk, first.pk]
    assert ids(ordering="start_date") == [first.pk, second.pk]
    assert api.get(reverse("api:project-list"), {"page_size": 1}).data["count"] == 2


def _more_projects(cast: Cast, count: int) -> None:
    for n in range(count):
        project = make_project(cast, title=f"Project {n:03d}")
        project.partner_organizations.add(cast.program.lead_university)
        m.ProjectMember.objects.create(project=project, user=cast.other_student.user)
        m.ProjectOutput.objects.create(project=project, kind="paper", title=f"Paper {n}")


@pytest.mark.parametrize("name", ["program_admin", "coordinator", "tutor", "student"])
def test_api_project_list_query_count_is_flat(world: Cast, outsider: User, name: str) -> None:
    api = api_for(person(world, name, outsider))
    _more_projects(world, 1)
    assert_flat_queries(
        lambda: api.get(reverse("api:project-list"), {"page_size": 100}),
        lambda: _more_projects(world, 49),
        max_queries=8,
    )


# ---- Pages ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "status"),
    matrix(
        API_CAST,
        program_admin=200,
        coordinator=200,
        other_coordinator=200,  # a coordinator, with no project of theirs in the list
        tutor=200,
        practice_tutor=200,
        student=200,
        other_student=200,
        outsider=200,  # a list of records: what the user may see, here nothing
        anonymous=302,
    ),
)
def test_project_list_by_role(world: Cast, outsider: User, name: str, status: int) -> None:
    make_project(world)
    response = client_for(person(world, name, outsider)).get(reverse("programs:project-list"))
    assert response.status_code == status
    if status == 200:
        listed = "Low-dose CT reconstruction" in response.content.decode()
        assert listed == (name not in ("other_coordinator", "other_student", "outsider"))


def test_an_account_without_a_role_sees_the_projects_it_belongs_to(
    world: Cast, outsider: User
) -> None:
    project = make_project(world)
    m.ProjectMember.objects.create(project=project, user=outsider)
    assert client_for(outsider).get(reverse("programs:project-list")).status_code == 200


def test_the_navigation_offers_projects_to_the_roles(world: Cast, outsider: User) -> None:
    url = reverse("programs:project-list")
    for user in (world.program_admin, world.coordinator, world.tutor.user, world.student.user):
        assert url in client_for(user).get(reverse("core:home")).content.decode()
    assert url not in client_for(outsider).get(reverse("core:home")).content.decode()


def test_the_project_list_filters_and_offers_new_projects_to_those_who_may(world: Cast) -> None:
    make_project(world, title="Clinical one", kind="clinical")
    make_project(world, title="Research one", kind="research")
    page = client_for(world.coordinator).get(reverse("programs:project-list"), {"kind": "clinical"})
    content = page.content.decode()
    assert "Clinical one" in content and "Research one" not in content
    new_url = reverse("programs:project-create", args=[world.program.pk])
    assert new_url in content
    tutor_page = client_for(world.tutor.user).get(reverse("programs:project-list"))
    assert new_url in tutor_page.content.decode()  # tutors propose projects too
    outsider_page = client_for(world.other_coordinator).get(reverse("programs:project-list"))
    assert new_url not in outsider_page.content.decode()
    # An invalid filter is shown and ignored, never a 500.
    bad = client_for(world.coordinator).get(reverse("programs:project-list"), {"kind": "x"})
    assert bad.status_code == 200 and bad.context["form"].errors
    assert "Research one" in bad.content.decode()


@pytest.mark.parametrize(
    ("name", "status"),
    matrix(
        API_CAST,
        program_admin=200,
        coordinator=200,
        other_coordinator=404,
        tutor=200,
        practice_tutor=200,
        student=200,
        other_student=404,
        outsider=404,
        anonymous=302,
    ),
)
def test_project_detail_by_role(world: Cast, outsider: User, name: str, status: int) -> None:
    project = make_project(world)
    response = client_for(person(world, name, outsider)).get(
        reverse("programs:project-detail", args=[project.pk])
    )
    assert response.status_code == status
    if status == 200:
        content = response.content.decode()
        assert "Stan Student" in content
        manages = name in ("program_admin", "coordinator")
        assert (reverse("programs:project-member-add", args=[project.pk]) in content) == manages
        # On a proposal: who manages it approves it (or refuses it), never "Mark as Failed".
        buttons = {
            status
            for status in ("approved", "failed")
            if f'name="status" value="{status}"' in content
        }
        assert buttons == {
            "program_admin": {"approved"},
            "coordinator": {"approved"},
        }.get(name, set())


@pytest.mark.parametrize(
    ("name", "status"),
    matrix(
        API_CAST,
        program_admin=200,
        coordinator=200,
        other_coordinator=404,
        tutor=200,
        practice_tutor=200,
        student=200,
        other_student=200,
        outsider=404,
        anonymous=302,
    ),
)
def test_project_create_page_by_role(world: Cast, outsider: User, name: str, status: int) -> None:
    url = reverse("programs:project-create", args=[world.program.pk])
    response = client_for(person(world, name, outsider)).get(url)
    assert response.status_code == status


def _form(cast: Cast, **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "Portable MR coil",
        "kind": "engineering",
        "size": "big",
        "lead_organization": cast.hospital.pk,
        "partner_organizations": [cast.program.lead_university_id],
        "start_date": "2026-02-01",
        "end_date": "2026-12-31",
        "description": "With the university's lab.",
    }
    data.update(fields)
    return data


def test_the_coordinator_proposes_a_project_through_the_page(world: Cast) -> None:
    url = reverse("programs:project-create", args=[world.program.pk])
    client = client_for(world.coordinator)
    form = client.get(url).context["form"]
    # The coordinator leads only with their own organisation.
    assert list(form.fields["lead_organization"].queryset) == [world.hospital]
    response = client.post(url, _form(world))
    project = m.Project.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("programs:project-detail", args=[project.pk])
    assert (project.title, project.status) == ("Portable MR coil", Status.PROPOSED)
    assert list(project.partner_organizations.all()) == [world.program.lead_university]


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"end_date": "2026-01-01"}, {"end_date"}),
        ({"title": "", "kind": "hobby"}, {"title", "kind"}),
        ({"lead_organization": "999999"}, {"lead_organization"}),
        ({"partner_organizations": ["999999"]}, {"partner_organizations"}),
        ({"partner_organizations": ["__HOSPITAL__"]}, {"partner_organizations"}),
        ({"start_date": "yesterday"}, {"start_date"}),
    ],
)
def test_a_bad_project_form_is_shown_again_with_its_errors(
    world: Cast, fields: dict[str, Any], errors: set[str]
) -> None:
    if fields.get("partner_organizations") == ["__HOSPITAL__"]:
        fields = {"partner_organizations": [world.hospital.pk]}
    url = reverse("programs:project-create", args=[world.program.pk])
    response = client_for(world.program_admin).post(url, _form(world, **fields))
    assert response.status_code == 200
    assert set(response.context["form"].errors) == errors
    assert not m.Project.objects.exists()


def test_status_buttons_move_the_project_and_refusals_are_shown(world: Cast) -> None:
    project = make_project(world)
    url = reverse("programs:project-status", args=[project.pk])
    admin = client_for(world.program_admin)
    response = admin.post(url, {"status": "approved"})
    assert response.status_code == 302
    detail = admin.get(response["Location"]).content.decode()
    assert "Approved" in detail and "petra@example.org" not in detail and "Petra" in detail
    refused = admin.post(url, {"status": "completed"})
    assert refused.status_code == 200
    assert refused.context["status_form"].errors == {
        "status": ["A “Approved” project can only become “Active”."]
    }
    assert client_for(world.coordinator).post(url, {"status": "active"}).status_code == 302
    assert client_for(world.student.user).post(url, {"status": "failed"}).status_code == 403
    assert client_for(world.other_student.user).post(url, {"status": "failed"}).status_code == 404
    assert m.Project.objects.get().status == Status.ACTIVE


def test_members_are_added_and_removed_through_the_page(world: Cast) -> None:
    project = make_project(world)
    client = client_for(world.coordinator)
    url = reverse("programs:project-member-add", args=[project.pk])
    assert client.post(url, {"email": "olga@example.org", "role": "member"}).status_code == 302
    refused = client.post(url, {"email": "tom@example.org", "role": "advisor"})
    assert refused.status_code == 200
    assert list(refused.context["member_form"].errors) == ["email"]
    unknown = client.post(url, {"email": "ghost@example.org", "role": "member"})
    assert unknown.context["member_form"].errors == {
        "email": ["No active account has this e-mail address."]
    }
    olga = project.members.get(user=world.other_student.user)
    remove = reverse("programs:project-member-remove", args=[project.pk, olga.pk])
    assert client_for(world.tutor.user).post(remove).status_code == 403
    assert client.post(remove).status_code == 302
    assert list(project.members.values_list("user__email", flat=True)) == ["stan@example.org"]
    assert client.post(remove).status_code == 404  # gone


def test_outputs_are_recorded_through_the_page(world: Cast) -> None:
    project = make_project(world, status=Status.ACTIVE)
    url = reverse("programs:project-output-add", args=[project.pk])
    client = client_for(world.program_admin)
    future = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    refused = client.post(url, {"kind": "patent", "title": "Coil", "produced_on": future})
    assert refused.status_code == 200
    assert refused.context["output_form"].errors == {
        "produced_on": ["The date cannot be in the future."]
    }
    assert (
        client.post(url, {"kind": "patent", "title": "Coil", "reference": "CN123"}).status_code
        == 302
    )
    assert (
        client_for(world.student.user).post(url, {"kind": "paper", "title": "x"}).status_code == 403
    )
    assert list(project.outputs.values_list("title", "reference")) == [("Coil", "CN123")]


def test_project_list_page_query_count_is_flat(world: Cast) -> None:
    client = client_for(world.coordinator)
    _more_projects(world, 1)
    assert_flat_queries(
        lambda: client.get(reverse("programs:project-list")),
        lambda: _more_projects(world, 23),
        max_queries=14,
    )


def test_project_detail_page_query_count_is_flat(world: Cast) -> None:
    project = make_project(world)
    client = client_for(world.program_admin)

    def grow() -> None:
        for n in range(20):
            account = StudentFactory.create(program=world.program).user
            m.ProjectMember.objects.create(project=project, user=account)
            m.ProjectOutput.objects.create(project=project, kind="paper", title=f"Paper {n}")
            project.partner_organizations.add(OrganizationFactory.create())
        s.update_project_status(user=world.coordinator, project=project, status=Status.ACTIVE)

    s.update_project_status(user=world.program_admin, project=project, status=Status.APPROVED)
    s.add_output(user=world.program_admin, project=project, kind="paper", title="First")
    project.partner_organizations.add(world.program.lead_university)
    assert_flat_queries(
        lambda: client.get(reverse("programs:project-detail", args=[project.pk])),
        grow,
        max_queries=16,
    )


def test_tutor_profiles_of_the_lead_are_eligible_but_inactive_ones_are_not(world: Cast) -> None:
    project = make_project(world)
    retired = TutorFactory.create(organization=world.hospital, is_active=False)
    eligible = s.eligible_members(project)
    assert eligible.filter(pk=world.practice_tutor.user.pk).exists()
    assert not eligible.filter(pk=retired.user.pk).exists()
