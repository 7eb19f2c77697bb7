"""The placement lifecycle (planned -> active -> completed, or cancelled), capacity with an
override reason, the placement pages and API, and the audit rule reading real data.

The transition table is written out here on its own (not read from the code): who may take
which action from which status.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from typing import cast as cast_to

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from programs import models as m
from programs.placements import services as s
from supervision.audits.engine import run_audit, start_audit
from supervision.models import Finding
from tests.cast import Cast
from tests.clients import api_for, client_for
from tests.factories import UserFactory
from tests.queries import assert_flat_queries

from .factories import OrganizationFactory, PlacementFactory, StudentFactory, TutorFactory

pytestmark = pytest.mark.django_db

Status = m.Placement.Status
PLANNED, ACTIVE, COMPLETED, CANCELLED = Status.PLANNED, Status.ACTIVE, Status.COMPLETED, "cancelled"
ALL = (PLANNED, ACTIVE, COMPLETED, CANCELLED)

#: action -> (statuses it starts from, roles that may take it, status it leads to)
TABLE: dict[str, tuple[set[str], set[str], str]] = {
    "edit": ({PLANNED}, {"program_admin"}, PLANNED),
    "start": ({PLANNED}, {"coordinator"}, ACTIVE),
    "complete": ({ACTIVE}, {"coordinator", "practice_tutor"}, COMPLETED),
    "cancel": ({PLANNED, ACTIVE}, {"program_admin", "coordinator"}, CANCELLED),
}
ROLES = ("program_admin", "coordinator", "practice_tutor", "tutor", "student", "other_coordinator")


def person(cast: Cast, name: str) -> Any:
    return {
        "program_admin": cast.program_admin,
        "coordinator": cast.coordinator,
        "other_coordinator": cast.other_coordinator,
        "practice_tutor": cast.practice_tutor.user,
        "tutor": cast.tutor.user,
        "student": cast.student.user,
    }[name]


def set_status(placement: m.Placement, status: str) -> m.Placement:
    m.Placement.objects.filter(pk=placement.pk).update(status=status)
    placement.refresh_from_db()
    return placement


def take(cast: Cast, action: str, user: Any) -> m.Placement:
    placement = cast.placement
    if action == "edit":
        return s.update_placement(
            user=user,
            placement=placement,
            start_date=dt.date(2026, 3, 2),
            end_date=dt.date(2026, 8, 30),
            objectives="CT, MR and ultrasound",
            practice_tutor=cast.practice_tutor,
        )
    if action == "start":
        return s.start_placement(user=user, placement=placement)
    if action == "complete":
        return s.complete_placement(user=user, placement=placement, rating=4, evaluation="Good.")
    return s.cancel_placement(user=user, placement=placement, reason="The host closed the ward.")


def expected(action: str, status: str, role: str) -> Any:
    sources, roles, target = TABLE[action]
    if role not in roles:
        return 403
    return target if status in sources else 400


# ---- The transition table, through the services --------------------------------------------


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", sorted(TABLE))
def test_the_transition_table_through_the_services(cast: Cast, action: str, role: str) -> None:
    user = person(cast, role)
    for status in ALL:
        placement = set_status(cast.placement, status)
        want = expected(action, status, role)
        if want == 403:
            with pytest.raises(PermissionDenied):
                take(cast, action, user)
        elif want == 400:
            with pytest.raises(ValidationError):
                take(cast, action, user)
        else:
            take(cast, action, user)
        placement.refresh_from_db()
        assert placement.status == (want if isinstance(want, str) else status), (status, want)


def test_the_page_offers_exactly_the_allowed_actions(cast: Cast) -> None:
    for role in ROLES:
        for status in ALL:
            placement = set_status(cast.placement, status)
            got = set(s.allowed_actions(person(cast, role), placement))
            want = {a for a in TABLE if expected(a, status, role) not in (400, 403)}
            assert got == want, (role, status)


def test_completing_stores_the_hosts_evaluation_and_who(cast: Cast) -> None:
    s.start_placement(user=cast.coordinator, placement=cast.placement)
    placement = s.complete_placement(
        user=cast.practice_tutor.user,
        placement=cast.placement,
        rating=5,
        evaluation="Careful and quick to learn.",
    )
    assert (placement.rating, placement.host_evaluation) == (5, "Careful and quick to learn.")
    assert placement.completed_by == cast.practice_tutor.user
    assert placement.confirmed_by == cast.coordinator


def test_completing_needs_a_rating_and_an_evaluation_reported_together(cast: Cast) -> None:
    set_status(cast.placement, ACTIVE)
    with pytest.raises(ValidationError) as caught:
        s.complete_placement(
            user=cast.coordinator, placement=cast.placement, rating=9, evaluation=""
        )
    assert set(caught.value.message_dict) == {"rating", "evaluation"}
    cast.placement.refresh_from_db()
    assert cast.placement.status == ACTIVE


def test_cancelling_needs_a_reason(cast: Cast) -> None:
    with pytest.raises(ValidationError) as caught:
        s.cancel_placement(user=cast.program_admin, placement=cast.placement, reason="  ")
    assert caught.value.message_dict == {"reason": ["Say why the placement is cancelled."]}


def test_editing_reports_a_foreign_tutor_and_the_date_order_together(cast: Cast) -> None:
    with pytest.raises(ValidationError) as caught:
        s.update_placement(
            user=cast.program_admin,
            placement=cast.placement,
            start_date=dt.date(2026, 9, 1),
            end_date=dt.date(2026, 8, 1),
            objectives="x",
            practice_tutor=cast.tutor,
        )
    assert set(caught.value.message_dict) == {"practice_tutor", "end_date"}


def test_every_change_is_in_the_placements_history(cast: Cast) -> None:
    from pghistory.models import Events

    s.start_placement(user=cast.coordinator, placement=cast.placement)
    s.complete_placement(user=cast.coordinator, placement=cast.placement, rating=3, evaluation="OK")
    labels = list(
        Events.objects.tracks(cast.placement)
        .order_by("pgh_created_at")
        .values_list("pgh_data__status", flat=True)
    )
    assert labels[-2:] == [ACTIVE, COMPLETED]


# ---- Capacity ------------------------------------------------------------------------------


def offers(cast: Cast, places: int, host: m.Organization | None = None) -> m.ProgramPartner:
    return m.ProgramPartner.objects.create(
        program=cast.program,
        organization=host or cast.hospital,
        agreement_start=dt.date(2026, 1, 1),
        places_offered=places,
    )


def plan_for(cast: Cast, student: m.Student, **extra: Any) -> m.Placement:
    data: dict[str, Any] = {
        "start_date": dt.date(2026, 5, 1),
        "end_date": dt.date(2026, 6, 30),
        "objectives": "MR",
        **extra,
    }
    return s.create_placement(user=cast.program_admin, student=student, host=cast.hospital, **data)


def test_planning_beyond_the_places_offered_needs_a_reason(cast: Cast) -> None:
    offers(cast, 1)  # the cast's placement (March to August) takes the only place
    with pytest.raises(ValidationError) as caught:
        plan_for(cast, cast.other_student)
    assert caught.value.message_dict == {
        "capacity_override_reason": [
            "First Hospital offers 1 place to this program and 1 are taken in this period. "
            "Give a reason to go beyond the capacity."
        ]
    }
    placement = plan_for(cast, cast.other_student, capacity_override_reason="Extra CT shift.")
    assert placement.capacity_override_reason == "Extra CT shift."


def test_only_planned_and_active_placements_overlapping_the_period_take_places(
    cast: Cast,
) -> None:
    offers(cast, 1)
    later = plan_for(
        cast, cast.other_student, start_date=dt.date(2026, 9, 1), end_date=dt.date(2026, 12, 1)
    )
    assert later.capacity_override_reason == ""
    s.cancel_placement(user=cast.program_admin, placement=cast.placement, reason="Moved.")
    third = cast_to(m.Student, StudentFactory(program=cast.program))
    assert plan_for(cast, third).capacity_override_reason == ""


def test_hosts_that_are_not_partners_declare_no_capacity(cast: Cast) -> None:
    capacity = s.capacity_for(
        student=cast.other_student,
        host=cast.hospital,
        start_date=dt.date(2026, 5, 1),
        end_date=dt.date(2026, 6, 1),
    )
    assert (capacity.offered, capacity.used, capacity.full) == (None, 1, False)


def test_starting_beyond_the_places_offered_needs_a_reason_and_keeps_it(cast: Cast) -> None:
    offers(cast, 2)
    second = plan_for(cast, cast.other_student)
    m.ProgramPartner.objects.filter(program=cast.program).update(places_offered=1)
    s.start_placement(user=cast.coordinator, placement=cast.placement)
    with pytest.raises(ValidationError) as caught:
        s.start_placement(user=cast.coordinator, placement=second)
    assert set(caught.value.message_dict) == {"capacity_override_reason"}
    second.refresh_from_db()
    assert second.status == PLANNED
    started = s.start_placement(
        user=cast.coordinator, placement=second, capacity_override_reason="Agreed by phone."
    )
    assert (started.status, started.capacity_override_reason) == (ACTIVE, "Agreed by phone.")


# ---- The audit rule and the coordinator's counts on data made through the services ----------


@pytest.mark.usefixtures("celery_eager")
def test_an_active_placement_without_practice_tutor_is_found_by_the_audit(cast: Cast) -> None:
    offers(cast, 2, cast.other_hospital)
    placement = s.create_placement(
        user=cast.program_admin,
        student=cast.other_student,
        host=cast.other_hospital,
        start_date=dt.date(2026, 4, 1),
        end_date=dt.date(2026, 7, 1),
        objectives="Ultrasound",
    )
    s.start_placement(user=cast.other_coordinator, placement=placement)

    run = start_audit(user=None, program=cast.program, rules=["placement_without_tutor"])
    run_audit(run.job_id)

    finding = Finding.objects.active().get(rule="placement_without_tutor")
    assert (finding.subject_id, finding.student_id) == (placement.pk, cast.other_student.pk)


@pytest.mark.usefixtures("celery_eager")
def test_a_planned_placement_without_tutor_is_not_a_finding(cast: Cast) -> None:
    offers(cast, 5)
    plan_for(cast, cast.other_student)  # hospital, no tutor, planned
    run = start_audit(user=None, program=cast.program, rules=["placement_without_tutor"])
    run_audit(run.job_id)
    assert not Finding.objects.active().filter(rule="placement_without_tutor").exists()


def test_the_coordinators_home_counts_follow_the_lifecycle(cast: Cast) -> None:
    def counts() -> tuple[int, int]:
        response = client_for(cast.coordinator).get(reverse("core:home"))
        (data,) = [
            section["data"]
            for section in response.context["sections"]
            if section["template"] == "programs/attention/home_coordinator.html"
        ]
        (org,) = data["organizations"]
        return (org.active_placements, org.to_confirm)

    assert counts() == (0, 1)
    s.start_placement(user=cast.coordinator, placement=cast.placement)
    assert counts() == (1, 0)
    s.complete_placement(user=cast.coordinator, placement=cast.placement, rating=4, evaluation="x")
    assert counts() == (0, 0)


# ---- Pages ---------------------------------------------------------------------------------


def detail(cast: Cast) -> str:
    return reverse("programs:placement", args=[cast.placement.pk])


def act(cast: Cast, action: str) -> str:
    return reverse("programs:placement-act", args=[cast.placement.pk, action])


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("program_admin", 200),
        ("coordinator", 200),
        ("practice_tutor", 200),
        ("tutor", 200),
        ("student", 200),
        ("other_coordinator", 404),
        ("outsider", 404),
    ],
)
def test_who_sees_the_placement_page(cast: Cast, role: str, status: int) -> None:
    user = UserFactory() if role == "outsider" else person(cast, role)
    assert client_for(user).get(detail(cast)).status_code == status


@pytest.mark.parametrize(
    ("role", "action", "status"),
    [
        ("coordinator", "start", 302),
        ("program_admin", "start", 403),
        ("practice_tutor", "start", 403),
        ("student", "start", 403),
        ("other_coordinator", "start", 404),
        ("program_admin", "cancel", 302),
        ("coordinator", "cancel", 302),
        ("tutor", "cancel", 403),
        ("student", "cancel", 403),
        ("coordinator", "complete", 200),  # still planned: shown on the form, nothing saved
        ("practice_tutor", "complete", 200),
        ("student", "complete", 403),
        ("coordinator", "fly", 404),
    ],
)
def test_page_actions_by_role_on_a_planned_placement(
    cast: Cast, role: str, action: str, status: int
) -> None:
    data = {"reason": "No longer possible.", "rating": "4", "evaluation": "Fine."}
    response = client_for(person(cast, role)).post(act(cast, action), data)
    assert response.status_code == status
    cast.placement.refresh_from_db()
    if status != 302:
        assert cast.placement.status == PLANNED


def test_the_coordinator_starts_and_completes_on_the_page(cast: Cast) -> None:
    client = client_for(cast.coordinator)
    page = client.get(detail(cast)).content.decode()
    assert act(cast, "start") in page and act(cast, "complete") not in page
    assert client.post(act(cast, "start"), {}).status_code == 302
    refused = client.post(act(cast, "complete"), {"rating": "", "evaluation": ""})
    assert set(refused.context["action_forms"]["complete"].errors) == {"rating", "evaluation"}
    done = client.post(act(cast, "complete"), {"rating": "5", "evaluation": "Excellent work."})
    assert done.status_code == 302
    cast.placement.refresh_from_db()
    assert (cast.placement.status, cast.placement.rating) == (COMPLETED, 5)
    student_page = client_for(cast.student.user).get(
        reverse("programs:student", args=[cast.student.pk])
    )
    assert "Completed" in student_page.content.decode()


def test_the_capacity_error_is_shown_on_the_start_form(cast: Cast) -> None:
    offers(cast, 0)
    response = client_for(cast.coordinator).post(act(cast, "start"), {})
    form = response.context["action_forms"]["start"]
    assert response.status_code == 200 and "capacity_override_reason" in form.errors
    assert "0 of 0 places used" not in response.content.decode()  # the placement takes one
    assert "1 of 0 places used" in response.content.decode()


def test_the_program_administrator_plans_and_edits_on_the_pages(cast: Cast) -> None:
    offers(cast, 5)
    client = client_for(cast.program_admin)
    url = reverse("programs:placement-create", args=[cast.other_student.pk])
    bad = client.post(url, {"host": cast.hospital.pk, "start_date": "2026-05-01"})
    assert bad.status_code == 200 and {"end_date", "objectives"} <= set(bad.context["form"].errors)
    data = {
        "host": cast.hospital.pk,
        "start_date": "2026-05-01",
        "end_date": "2026-06-30",
        "objectives": "MR",
        "practice_tutor": cast.practice_tutor.pk,
    }
    assert client.post(url, data).status_code == 302
    placement = m.Placement.objects.get(student=cast.other_student)
    edit = reverse("programs:placement-edit", args=[placement.pk])
    assert client.post(edit, {**data, "objectives": "MR and CT"}).status_code == 302
    placement.refresh_from_db()
    assert placement.objectives == "MR and CT"
    assert client_for(cast.coordinator).get(edit).status_code == 403
    assert (
        client_for(cast.program_admin)
        .get(reverse("programs:placement-create", args=[cast.other_student.pk]))
        .status_code
        == 200
    )
    assert (
        client_for(cast.tutor.user)
        .get(reverse("programs:placement-create", args=[cast.student.pk]))
        .status_code
        == 403
    )


def test_a_started_placement_is_no_longer_edited(cast: Cast) -> None:
    set_status(cast.placement, ACTIVE)
    edit = reverse("programs:placement-edit", args=[cast.placement.pk])
    assert client_for(cast.program_admin).get(edit).status_code == 403


def test_placement_pages_queries_stay_flat(cast: Cast) -> None:
    offers(cast, 5)
    admin = client_for(cast.program_admin)

    def grow() -> None:
        for _ in range(3):
            student = StudentFactory(program=cast.program)
            tutor = TutorFactory(kind=m.TutorProfile.Kind.PRACTICE, organization=cast.hospital)
            PlacementFactory(student=student, host=cast.hospital, practice_tutor=tutor)

    assert_flat_queries(lambda: admin.get(reverse("programs:placement-list")), grow, max_queries=12)
    assert_flat_queries(lambda: admin.get(detail(cast)), grow, max_queries=14)
    coordinator = client_for(cast.coordinator)
    assert_flat_queries(
        lambda: coordinator.get(reverse("programs:placements-to-confirm")), grow, max_queries=12
    )


# ---- API -----------------------------------------------------------------------------------


def api_url(cast: Cast, action: str) -> str:
    if action == "edit":
        return reverse("api:placement-detail", args=[cast.placement.pk])
    return reverse(f"api:placement-{action}", args=[cast.placement.pk])


def api_take(cast: Cast, action: str, user: Any) -> Any:
    payload = {
        "edit": {
            "start_date": "2026-03-02",
            "end_date": "2026-08-30",
            "objectives": "CT",
            "practice_tutor": cast.practice_tutor.pk,
        },
        "start": {},
        "complete": {"rating": 4, "evaluation": "Good."},
        "cancel": {"reason": "Closed."},
    }[action]
    client = api_for(user)
    if action == "edit":
        return client.patch(api_url(cast, action), payload, format="json")
    return client.post(api_url(cast, action), payload, format="json")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", sorted(TABLE))
def test_the_transition_table_through_the_api(cast: Cast, action: str, role: str) -> None:
    user = person(cast, role)
    for status in (PLANNED, ACTIVE, COMPLETED):
        set_status(cast.placement, status)
        want = 404 if role == "other_coordinator" else expected(action, status, role)
        response = api_take(cast, action, user)
        code = 200 if isinstance(want, str) else want
        assert response.status_code == code, (status, response.data)
        cast.placement.refresh_from_db()
        assert cast.placement.status == (want if isinstance(want, str) else status)
        if code == 200:
            assert response.data["status"] == want


def test_the_api_shows_places_and_refuses_beyond_capacity_without_reason(cast: Cast) -> None:
    offers(cast, 1)
    api = api_for(cast.program_admin)
    data = {
        "student": cast.other_student.pk,
        "host": cast.hospital.pk,
        "start_date": "2026-05-01",
        "end_date": "2026-06-30",
        "objectives": "MR",
    }
    refused = api.post(reverse("api:placement-list"), data, format="json")
    assert refused.status_code == 400 and "capacity_override_reason" in refused.data
    made = api.post(
        reverse("api:placement-list"),
        {**data, "capacity_override_reason": "One more this spring."},
        format="json",
    )
    assert made.status_code == 201
    assert (made.data["places_offered"], made.data["places_used"]) == (1, 2)
    assert made.data["capacity_override_reason"] == "One more this spring."


def test_the_api_list_queries_stay_flat(cast: Cast) -> None:
    api = api_for(cast.program_admin)

    def grow() -> None:
        for _ in range(3):
            PlacementFactory(student=StudentFactory(program=cast.program), host=cast.hospital)

    assert_flat_queries(lambda: api.get(reverse("api:placement-list")), grow, max_queries=8)


# ---- Who hosts, who is placed, and when a placement starts and completes -------------------


def shift(placement: m.Placement, days: int) -> m.Placement:
    """Move the placement's period so that it starts `days` from today."""
    start = timezone.localdate() + dt.timedelta(days=days)
    m.Placement.objects.filter(pk=placement.pk).update(
        start_date=start, end_date=start + dt.timedelta(days=90)
    )
    placement.refresh_from_db()
    return placement


NOT_A_PARTNER = (
    "Second Hospital is not an active partner of {code}; choose one of the program's partners."
)


@pytest.mark.parametrize(
    ("partnership", "org_status"),
    [(None, "active"), (False, "active"), (True, "probation"), (True, "suspended")],
)
def test_only_an_active_partner_of_the_program_hosts_its_students(
    cast: Cast, partnership: bool | None, org_status: str
) -> None:
    if partnership is not None:
        m.ProgramPartner.objects.filter(pk=offers(cast, 5, cast.other_hospital).pk).update(
            is_active=partnership
        )
    m.Organization.objects.filter(pk=cast.other_hospital.pk).update(status=org_status)
    cast.other_hospital.refresh_from_db()
    with pytest.raises(ValidationError) as caught:
        s.create_placement(
            user=cast.program_admin,
            student=cast.other_student,
            host=cast.other_hospital,
            start_date=dt.date(2026, 5, 1),
            end_date=dt.date(2026, 6, 30),
            objectives="MR",
        )
    assert list(caught.value.message_dict) == ["host"]
    assert not m.Placement.objects.filter(student=cast.other_student).exists()


def test_the_host_error_names_the_program(cast: Cast) -> None:
    with pytest.raises(ValidationError) as caught:
        s.create_placement(
            user=cast.program_admin,
            student=cast.other_student,
            host=cast.other_hospital,
            start_date=dt.date(2026, 5, 1),
            end_date=dt.date(2026, 6, 30),
            objectives="MR",
        )
    assert caught.value.message_dict == {"host": [NOT_A_PARTNER.format(code=cast.program.code)]}


def test_the_page_offers_only_active_partners_and_refuses_others_on_host(cast: Cast) -> None:
    offers(cast, 5)  # hospital: an active partner; other_hospital: none
    on_probation = cast_to(
        m.Organization, OrganizationFactory(name="Probation Clinic", status="probation")
    )
    offers(cast, 5, on_probation)
    client = client_for(cast.program_admin)
    url = reverse("programs:placement-create", args=[cast.other_student.pk])
    hosts = client.get(url).context["form"].fields["host"].queryset
    assert list(hosts) == [cast.hospital]
    data = {"start_date": "2026-05-01", "end_date": "2026-06-30", "objectives": "MR"}
    refused = client.post(url, {**data, "host": cast.other_hospital.pk})
    assert refused.status_code == 200 and "host" in refused.context["form"].errors
    assert not m.Placement.objects.filter(student=cast.other_student).exists()


def test_the_api_refuses_a_host_that_is_not_a_partner_on_host(cast: Cast) -> None:
    data = {
        "student": cast.other_student.pk,
        "host": cast.other_hospital.pk,
        "start_date": "2026-05-01",
        "end_date": "2026-06-30",
        "objectives": "MR",
    }
    refused = api_for(cast.program_admin).post(reverse("api:placement-list"), data, format="json")
    assert refused.status_code == 400
    assert refused.data["host"] == [NOT_A_PARTNER.format(code=cast.program.code)]


@pytest.mark.parametrize("status", ["suspended", "withdrawn", "graduated"])
def test_a_student_who_is_not_active_is_not_placed(cast: Cast, status: str) -> None:
    offers(cast, 5)
    m.Student.objects.filter(pk=cast.other_student.pk).update(status=status)
    cast.other_student.refresh_from_db()
    with pytest.raises(ValidationError) as caught:
        plan_for(cast, cast.other_student)
    (message,) = caught.value.message_dict["__all__"]
    assert "is not an active student" in message
    assert not m.Placement.objects.filter(student=cast.other_student).exists()


def test_the_student_page_offers_planning_only_for_an_active_student(cast: Cast) -> None:
    client = client_for(cast.program_admin)
    url = reverse("programs:student", args=[cast.other_student.pk])
    create = reverse("programs:placement-create", args=[cast.other_student.pk])
    assert create in client.get(url).content.decode()
    m.Student.objects.filter(pk=cast.other_student.pk).update(status="suspended")
    assert create not in client.get(url).content.decode()


def test_a_placement_is_not_completed_before_it_starts(cast: Cast) -> None:
    placement = set_status(shift(cast.placement, 3), ACTIVE)
    with pytest.raises(ValidationError) as caught:
        s.complete_placement(user=cast.coordinator, placement=placement, rating=4, evaluation="x")
    (message,) = caught.value.message_dict["__all__"]
    assert message.startswith("This placement starts on ")
    assert message.endswith("; it can be completed once it has started.")
    placement.refresh_from_db()
    assert placement.status == ACTIVE
    shift(placement, 0)
    done = s.complete_placement(
        user=cast.coordinator, placement=placement, rating=4, evaluation="x"
    )
    assert done.status == COMPLETED


def test_the_api_refuses_completing_before_the_start(cast: Cast) -> None:
    set_status(shift(cast.placement, 3), ACTIVE)
    refused = api_for(cast.coordinator).post(
        reverse("api:placement-complete", args=[cast.placement.pk]),
        {"rating": 4, "evaluation": "Good."},
        format="json",
    )
    assert refused.status_code == 400
    cast.placement.refresh_from_db()
    assert cast.placement.status == ACTIVE


def test_the_start_is_confirmed_from_two_weeks_before_not_earlier(cast: Cast) -> None:
    placement = shift(cast.placement, s.START_NOTICE_DAYS + 1)
    with pytest.raises(ValidationError) as caught:
        s.start_placement(user=cast.coordinator, placement=placement)
    (message,) = caught.value.message_dict["__all__"]
    assert "its start can be confirmed from" in message and "(14 days before)" in message
    placement.refresh_from_db()
    assert placement.status == PLANNED
    shift(placement, s.START_NOTICE_DAYS)
    assert s.start_placement(user=cast.coordinator, placement=placement).status == ACTIVE
