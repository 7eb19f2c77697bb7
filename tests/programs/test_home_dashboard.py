"""The home page tells each role what needs attention, with counts, and sums up their part;
the lists behind the counts (plans to approve, overdue milestones) agree with them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from programs import models as m
from tests.cast import Cast, who
from tests.clients import client_for
from tests.factories import PortalAdminFactory, UserFactory
from tests.queries import assert_flat_queries

from .factories import (
    AssignmentFactory,
    PlacementFactory,
    PlanFactory,
    ProgramFactory,
    ProgressLogFactory,
    StudentFactory,
    grant,
)

pytestmark = pytest.mark.django_db

Plan = m.TrainingPlan.Status
PLANS = "Plans awaiting your approval"
OVERDUE = "Overdue milestones"
PLACEMENTS = "Placements to confirm"
LOGS = "Shared logs to acknowledge"
MY_PLAN = "Your plan needs your action"


def home(user: Any) -> Any:
    response = client_for(user).get(reverse("core:home"))
    assert response.status_code == 200
    return response


def items(user: Any) -> dict[str, Any]:
    return {str(item.label): item for item in home(user).context["attention"]}


def overdue(student: m.Student, days: int = 10, **fields: Any) -> m.Milestone:
    return m.Milestone.objects.create(
        student=student,
        kind=m.MilestoneTemplate.Kind.PROPOSAL_DEFENCE,
        title=fields.pop("title", "Proposal defence"),
        due_date=timezone.localdate() - dt.timedelta(days=days),
        **fields,
    )


def section(response: Any, template: str) -> Any:
    found = [s["data"] for s in response.context["sections"] if s["template"] == template]
    return found[0] if found else None


# ---- Attention items per role --------------------------------------------------------------


def test_the_academic_tutor_sees_submitted_plans_and_overdue_milestones(cast: Cast) -> None:
    PlanFactory(student=cast.student, status=Plan.SUBMITTED)
    PlanFactory(student=cast.other_student, status=Plan.SUBMITTED)  # not Tom's student
    overdue(cast.student)
    overdue(cast.student, title="Mid-term", completed_on=timezone.localdate())  # done
    overdue(cast.other_student)
    found = items(cast.tutor.user)
    assert found[PLANS].count == 1
    assert found[PLANS].url == reverse("programs:plans-to-approve")
    assert found[PLANS].level == "warning"
    assert found[OVERDUE].count == 1
    assert found[OVERDUE].level == "danger"
    assert found[OVERDUE].url == reverse("programs:overdue-milestones")
    assert PLACEMENTS not in found and MY_PLAN not in found


def test_a_plan_approved_by_the_tutor_waits_on_the_program_administrator(cast: Cast) -> None:
    PlanFactory(student=cast.student, status=Plan.TUTOR_APPROVED)
    PlanFactory(student=cast.other_student, status=Plan.SUBMITTED)  # the tutor's step
    overdue(cast.student)
    overdue(cast.other_student)
    found = items(cast.program_admin)
    assert found[PLANS].count == 1
    assert found[OVERDUE].count == 2
    assert PLANS not in items(cast.tutor.user)  # nothing submitted for Tom


def test_the_administrator_of_another_program_is_not_told_about_this_one(cast: Cast) -> None:
    PlanFactory(student=cast.student, status=Plan.TUTOR_APPROVED)
    overdue(cast.student)
    stranger = UserFactory()
    grant(stranger, Role.PROGRAM_ADMIN, ProgramFactory())
    found = items(stranger)
    assert PLANS not in found and OVERDUE not in found


def test_the_portal_administrator_gives_final_approval_anywhere(cast: Cast) -> None:
    PlanFactory(student=cast.student, status=Plan.TUTOR_APPROVED)
    found = items(PortalAdminFactory())
    assert found[PLANS].count == 1


def test_the_practice_tutor_follows_milestones_but_approves_no_plans(cast: Cast) -> None:
    PlanFactory(student=cast.student, status=Plan.SUBMITTED)
    overdue(cast.student)
    found = items(cast.practice_tutor.user)
    assert found[OVERDUE].count == 1
    assert PLANS not in found


def test_milestones_of_students_who_are_not_active_are_not_overdue_work(cast: Cast) -> None:
    overdue(cast.student)
    cast.student.status = m.Student.Status.SUSPENDED
    cast.student.save()
    assert OVERDUE not in items(cast.program_admin)


def test_the_coordinator_sees_placements_to_confirm_at_their_organisation(cast: Cast) -> None:
    PlacementFactory(student=cast.other_student, host=cast.hospital)
    PlacementFactory(
        student=cast.other_student, host=cast.hospital, status=m.Placement.Status.CANCELLED
    )
    PlacementFactory(
        student=cast.other_student,
        host=cast.hospital,
        status=m.Placement.Status.ACTIVE,
        confirmed_at=timezone.now(),
    )
    PlacementFactory(student=cast.other_student, host=cast.other_hospital)
    found = items(cast.coordinator)
    assert found[PLACEMENTS].count == 2  # the cast's placement and the first one above
    assert found[PLACEMENTS].url == reverse("programs:placements-to-confirm")
    assert items(cast.other_coordinator)[PLACEMENTS].count == 1


def test_the_student_is_asked_to_write_a_plan_and_acknowledge_shared_logs(cast: Cast) -> None:
    found = items(cast.student.user)
    assert found[MY_PLAN].count == 1  # no plan yet
    assert found[MY_PLAN].url == reverse("programs:my-plan")
    assert LOGS not in found
    ProgressLogFactory(student=cast.student, author=cast.tutor.user)
    ProgressLogFactory(student=cast.student, author=cast.tutor.user, shared=False)
    ProgressLogFactory(student=cast.student, author=cast.tutor.user, acknowledged_at=timezone.now())
    ProgressLogFactory(student=cast.other_student, author=cast.other_tutor.user)
    PlanFactory(student=cast.student, status=Plan.SUBMITTED)
    found = items(cast.student.user)
    assert found[LOGS].count == 1
    assert MY_PLAN not in found  # submitted: the tutor's turn


def test_a_returned_plan_is_the_students_to_change(cast: Cast) -> None:
    PlanFactory(student=cast.student, version=1, status=Plan.SUPERSEDED)
    PlanFactory(student=cast.student, version=2, status=Plan.DRAFT)
    assert items(cast.student.user)[MY_PLAN].count == 1
    m.TrainingPlan.objects.filter(student=cast.student, version=2).update(status=Plan.APPROVED)
    assert MY_PLAN not in items(cast.student.user)


@pytest.mark.parametrize("name", ["outsider", "other_student"])
def test_those_without_work_are_told_so(cast: Cast, name: str) -> None:
    PlanFactory(student=cast.other_student, status=Plan.SUBMITTED)
    user = who(cast, name, UserFactory())
    response = home(user)
    labels = {str(item.label) for item in response.context["attention"]}
    assert not labels & {PLANS, OVERDUE, PLACEMENTS, LOGS, MY_PLAN}
    if name == "outsider":
        assert "Nothing needs your attention right now." in response.content.decode()


def test_the_badges_show_counts_coloured_by_level_and_link_to_the_lists(cast: Cast) -> None:
    overdue(cast.student)
    overdue(cast.student, title="Mid-term")
    page = home(cast.tutor.user).content.decode()
    assert f'href="{reverse("programs:overdue-milestones")}"' in page
    assert '<span class="badge rounded-pill text-bg-danger">2</span>' in page


# ---- Role summaries ------------------------------------------------------------------------


def test_the_program_administrator_sees_their_programs_with_counts(cast: Cast) -> None:
    PlanFactory(student=cast.student, status=Plan.TUTOR_APPROVED)
    overdue(cast.other_student)
    ProgramFactory(code="ELSE01")  # not theirs
    response = home(cast.program_admin)
    (program,) = section(response, "programs/attention/home_program_admin.html")["programs"]
    assert program == cast.program
    assert (program.active_students, program.plans_awaiting, program.overdue) == (2, 1, 1)
    page = response.content.decode()
    assert reverse("programs:program-detail", args=[cast.program.pk]) in page
    assert f"{reverse('programs:plans-to-approve')}?program={cast.program.pk}" in page
    assert "ELSE01" not in page


def test_the_coordinator_sees_their_organisations_placements(cast: Cast) -> None:
    m.Placement.objects.filter(pk=cast.placement.pk).update(status=m.Placement.Status.ACTIVE)
    PlacementFactory(student=cast.other_student, host=cast.hospital)  # planned: to confirm
    m.ProgramPartner.objects.create(
        program=cast.program,
        organization=cast.hospital,
        agreement_start=dt.date(2026, 1, 1),
        places_offered=3,
    )
    response = home(cast.coordinator)
    (hospital,) = section(response, "programs/attention/home_coordinator.html")["organizations"]
    assert hospital == cast.hospital
    assert (hospital.active_placements, hospital.to_confirm, hospital.places_offered) == (1, 1, 3)
    assert section(response, "programs/attention/home_program_admin.html") is None


def test_the_tutor_sees_how_many_students_they_supervise(cast: Cast) -> None:
    AssignmentFactory(student=StudentFactory(program=cast.program), tutor=cast.tutor)
    gone = StudentFactory(program=cast.program, status=m.Student.Status.GRADUATED)
    AssignmentFactory(student=gone, tutor=cast.tutor)
    response = home(cast.tutor.user)
    data = section(response, "programs/attention/home_tutor.html")
    assert (data["academic"], data["practice"], data["active"]) == (3, 0, 2)
    assert data["approves_plans"] is True
    assert reverse("programs:my-students") in response.content.decode()
    practice = section(home(cast.practice_tutor.user), "programs/attention/home_tutor.html")
    assert (practice["academic"], practice["practice"], practice["approves_plans"]) == (
        0,
        1,
        False,
    )


def test_the_student_sees_plan_status_next_milestone_and_logs(cast: Cast) -> None:
    PlanFactory(student=cast.student, status=Plan.SUBMITTED)
    overdue(cast.student, days=3, title="Proposal defence")
    overdue(cast.student, days=-30, title="Mid-term review")
    ProgressLogFactory(student=cast.student, author=cast.tutor.user)
    response = home(cast.student.user)
    data = section(response, "programs/attention/home_student.html")
    assert data["plan_status"] == "Submitted" and data["plan_version"] == 1
    assert data["next_milestone"] == "Proposal defence" and data["overdue"] is True
    assert data["to_acknowledge"] == 1
    page = response.content.decode()
    assert "Submitted" in page and "Proposal defence" in page
    assert section(response, "programs/attention/home_tutor.html") is None


# ---- The lists behind the counts -----------------------------------------------------------

LIST_CAST = [
    "program_admin",
    "coordinator",
    "tutor",
    "practice_tutor",
    "student",
    "other_student",
    "outsider",
]


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("program_admin", 200),
        ("coordinator", 403),
        ("tutor", 200),
        ("practice_tutor", 403),
        ("student", 403),
        ("other_student", 403),
        ("outsider", 403),
    ],
)
def test_plans_to_approve_by_role(cast: Cast, name: str, status: int) -> None:
    user = who(cast, name, UserFactory())
    assert client_for(user).get(reverse("programs:plans-to-approve")).status_code == status


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("program_admin", 200),
        ("coordinator", 403),
        ("tutor", 200),
        ("practice_tutor", 200),
        ("student", 403),
        ("other_student", 403),
        ("outsider", 403),
    ],
)
def test_overdue_milestones_by_role(cast: Cast, name: str, status: int) -> None:
    user = who(cast, name, UserFactory())
    assert client_for(user).get(reverse("programs:overdue-milestones")).status_code == status


@pytest.mark.parametrize("url_name", ["programs:plans-to-approve", "programs:overdue-milestones"])
def test_anonymous_visitors_are_sent_to_sign_in(url_name: str) -> None:
    response = Client().get(reverse(url_name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_plan_list_shows_each_user_the_plans_at_their_step(cast: Cast) -> None:
    PlanFactory(student=cast.student, status=Plan.SUBMITTED)
    PlanFactory(student=cast.other_student, status=Plan.TUTOR_APPROVED)
    url = reverse("programs:plans-to-approve")
    tutor_page = client_for(cast.tutor.user).get(url).content.decode()
    assert "Stan Student" in tutor_page and "Olga Other" not in tutor_page
    assert reverse("programs:student", args=[cast.student.pk]) in tutor_page
    assert "Tutor approval" in tutor_page
    admin_page = client_for(cast.program_admin).get(url).content.decode()
    assert "Olga Other" in admin_page and "Stan Student" not in admin_page
    assert "Final approval" in admin_page


def test_the_overdue_list_matches_the_count_and_narrows_to_a_program(cast: Cast) -> None:
    overdue(cast.student, title="Stan's proposal")
    overdue(cast.other_student, title="Olga's proposal")
    elsewhere = StudentFactory()
    grant(cast.program_admin, Role.PROGRAM_ADMIN, elsewhere.program)
    overdue(elsewhere, title="Elsewhere's proposal")
    client = client_for(cast.program_admin)
    url = reverse("programs:overdue-milestones")
    page = client.get(url)
    assert page.context["page"].paginator.count == items(cast.program_admin)[OVERDUE].count == 3
    narrowed = client.get(url, {"program": cast.program.pk}).content.decode()
    assert "Stan&#x27;s proposal" in narrowed and "Elsewhere" not in narrowed
    assert client.get(url, {"program": "x"}).context["page"].paginator.count == 3
    tutor_page = client_for(cast.tutor.user).get(url).content.decode()
    assert "Stan&#x27;s proposal" in tutor_page and "Olga" not in tutor_page


# ---- Query counts stay flat ----------------------------------------------------------------


def _grow_program(cast: Cast, n: int = 50) -> None:
    """n more students of the program, each with Tom as tutor, a plan at every step, an
    overdue milestone, an unconfirmed placement at the hospital and a shared log."""
    steps = [Plan.SUBMITTED, Plan.TUTOR_APPROVED, Plan.DRAFT]
    for i in range(n):
        student = StudentFactory(program=cast.program)
        AssignmentFactory(student=student, tutor=cast.tutor)
        PlanFactory(student=student, status=steps[i % 3])
        overdue(student)
        PlacementFactory(student=student, host=cast.hospital)
        ProgressLogFactory(student=student, author=cast.tutor.user)


@pytest.mark.parametrize("name", ["program_admin", "tutor", "practice_tutor", "coordinator"])
def test_the_home_page_queries_stay_flat(cast: Cast, name: str) -> None:
    PlanFactory(student=cast.student, status=Plan.SUBMITTED)
    overdue(cast.student)
    client = client_for(who(cast, name, None))
    # 20 for a program administrator: the inspections menu (are they on the inspected side),
    # the inspections items (one aggregate), the student status items (one) and the project
    # proposals to decide (one count) come on top.
    assert_flat_queries(
        lambda: client.get(reverse("core:home")), lambda: _grow_program(cast), max_queries=20
    )


def test_the_student_home_page_queries_stay_flat(cast: Cast) -> None:
    PlanFactory(student=cast.student, status=Plan.DRAFT)
    overdue(cast.student)
    ProgressLogFactory(student=cast.student, author=cast.tutor.user)
    client = client_for(cast.student.user)

    def grow() -> None:
        for i in range(50):
            overdue(cast.student, days=i + 1, title=f"Milestone {i}")
            ProgressLogFactory(student=cast.student, author=cast.tutor.user)

    # 15 with the evaluation item ("Evaluations you owe": one count)
    assert_flat_queries(lambda: client.get(reverse("core:home")), grow, max_queries=15)


def test_the_portal_administrator_home_page_queries_stay_flat(cast: Cast) -> None:
    client = client_for(PortalAdminFactory())
    PlanFactory(student=cast.student, status=Plan.TUTOR_APPROVED)
    # 17 with the student status items (requests to decide, follow-ups due: one query).
    assert_flat_queries(
        lambda: client.get(reverse("core:home")), lambda: _grow_program(cast), max_queries=17
    )


@pytest.mark.parametrize(
    ("name", "url_name"),
    [
        ("tutor", "programs:plans-to-approve"),
        ("program_admin", "programs:plans-to-approve"),
        ("tutor", "programs:overdue-milestones"),
        ("program_admin", "programs:overdue-milestones"),
    ],
)
def test_the_lists_queries_stay_flat(cast: Cast, name: str, url_name: str) -> None:
    PlanFactory(student=cast.student, status=Plan.SUBMITTED)
    PlanFactory(student=cast.other_student, status=Plan.TUTOR_APPROVED)
    overdue(cast.student)
    client = client_for(who(cast, name, None))
    assert_flat_queries(
        lambda: client.get(reverse(url_name)), lambda: _grow_program(cast), max_queries=12
    )


def test_a_placement_waits_on_the_coordinator_only_once_its_start_can_be_confirmed(
    cast: Cast,
) -> None:
    """A start is confirmed from 14 days before the first day: a placement starting later is
    not counted as waiting, and the page lists it apart, saying from when, with no button."""
    today = timezone.localdate()
    soon = PlacementFactory(
        student=cast.other_student,
        host=cast.hospital,
        start_date=today + dt.timedelta(days=14),
        end_date=today + dt.timedelta(days=100),
    )
    later = PlacementFactory(
        student=cast.other_student,
        host=cast.hospital,
        start_date=today + dt.timedelta(days=15),
        end_date=today + dt.timedelta(days=200),
    )
    assert items(cast.coordinator)[PLACEMENTS].count == 2  # the cast's placement and `soon`
    response = client_for(cast.coordinator).get(reverse("programs:placements-to-confirm"))
    assert [p.pk for p in response.context["placements"]] == [cast.placement.pk, soon.pk]
    assert [p.pk for p in response.context["later"]] == [later.pk]
    page = response.content.decode()
    assert reverse("programs:placement-confirm", args=[soon.pk]) in page
    assert reverse("programs:placement-confirm", args=[later.pk]) not in page
    assert "Planned for later" in page
    from programs.partners.attention import coordinator_summary

    summary = coordinator_summary(cast.coordinator)
    assert summary is not None
    (row,) = [o for o in summary["organizations"] if o.pk == cast.hospital.pk]
    assert row.to_confirm == 2
