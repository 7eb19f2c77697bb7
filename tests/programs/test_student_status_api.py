"""The student status lifecycle in the API and on the pages: the transition table as a table
(from status x action x role -> HTTP status and new status), requests decided, destination
and follow-up, 400 with field errors, and flat query counts."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from programs import models as m
from programs.people.services import student_status
from programs.people.workflow import TRANSITIONS
from tests.cast import Cast, who
from tests.clients import api_for, client_for
from tests.programs.factories import StudentFactory
from tests.programs.test_student_status import TODAY, bring_to, days
from tests.queries import assert_flat_queries

pytestmark = pytest.mark.django_db

Status = m.Student.Status


def payload(cast: Cast, action: str) -> dict[str, Any]:
    return {
        "suspend": {"starts_on": days(-10), "ends_on": days(170), "reason": "Illness"},
        "resume": {"starts_on": TODAY, "reason": "Recovered"},
        "extend": {"ends_on": days(800), "shift_days": 30, "reason": "One more year"},
        "withdraw": {"starts_on": TODAY, "reason": "Moved abroad"},
        "change-tutor": {"tutor": cast.other_tutor.pk, "reason": "Tom retires"},
        "graduate": {"starts_on": TODAY, "reason": "Defended"},
    }[action]


def api_expected(action: str, from_status: str, role: str) -> tuple[int, str | None]:
    """(HTTP status, decision) of the table; outsiders of the record get 404."""
    transition = TRANSITIONS[action]
    if role in ("other_student", "outsider"):
        return 404, None
    if role == "program_admin":
        return (200, "approved") if from_status in transition.sources else (400, None)
    if role == "student" and transition.requestable:
        return (200, "pending") if from_status in transition.sources else (400, None)
    return 403, None  # the coordinator sees the student (hosted placement) but decides nothing


@pytest.mark.parametrize("role", ["program_admin", "student", "coordinator", "other_student"])
@pytest.mark.parametrize("from_status", list(Status.values))
@pytest.mark.parametrize("action", list(TRANSITIONS))
def test_the_transition_table_through_the_api(
    cast: Cast, outsider: Any, action: str, from_status: str, role: str
) -> None:
    student = bring_to(cast, from_status)
    url = reverse(f"api:student-{action}", args=[student.pk])
    response = api_for(who(cast, role, outsider)).post(url, payload(cast, action), format="json")
    code, decision = api_expected(action, from_status, role)
    assert response.status_code == code, response.content
    student.refresh_from_db()
    if decision == "approved":
        assert response.data["decision"] == "approved"
        assert response.data["student_status"] == (TRANSITIONS[action].target or from_status)
    elif decision == "pending":
        assert (response.data["decision"], student.status) == ("pending", from_status)
    else:
        assert student.status == from_status
    if code == 400:
        assert "action" in response.data


def test_an_outsider_gets_404(cast: Cast, outsider: Any) -> None:
    url = reverse("api:student-suspend", args=[cast.student.pk])
    assert api_for(outsider).post(url, payload(cast, "suspend"), format="json").status_code == 404


def test_bad_input_gets_400_with_every_field_error(cast: Cast) -> None:
    url = reverse("api:student-suspend", args=[cast.student.pk])
    response = api_for(cast.program_admin).post(
        url, {"starts_on": days(400), "reason": ""}, format="json"
    )
    assert response.status_code == 400
    assert set(response.data) == {"starts_on", "ends_on", "reason"}


def test_a_request_is_decided_through_the_api(cast: Cast) -> None:
    student_api = api_for(cast.student.user)
    url = reverse("api:student-suspend", args=[cast.student.pk])
    change = student_api.post(url, payload(cast, "suspend"), format="json").data
    decide = reverse("api:student-decide", args=[cast.student.pk])
    body = {"change": change["id"], "decision": "approve"}
    assert student_api.post(decide, body, format="json").status_code == 403
    response = api_for(cast.program_admin).post(decide, body, format="json")
    assert (response.status_code, response.data["student_status"]) == (200, "suspended")
    history = student_api.get(reverse("api:student-status-changes", args=[cast.student.pk]))
    assert [row["decision"] for row in history.data] == ["approved"]


def test_a_change_of_another_student_cannot_be_decided_here(cast: Cast) -> None:
    change = student_status.change_student_status(
        user=cast.other_student.user,
        student=cast.other_student,
        action="extend",
        ends_on=days(900),
        reason="x",
    )
    decide = reverse("api:student-decide", args=[cast.student.pk])
    response = api_for(cast.program_admin).post(
        decide, {"change": change.pk, "decision": "approve"}, format="json"
    )
    assert (response.status_code, list(response.data)) == (400, ["change"])


def test_destination_and_follow_up_through_the_api(cast: Cast) -> None:
    bring_to(cast, Status.GRADUATED)
    url = reverse("api:student-destination", args=[cast.student.pk])
    bad = api_for(cast.student.user).post(url, {"employer": "X"}, format="json")
    assert (bad.status_code, set(bad.data)) == (400, {"kind", "region", "relevance"})
    body = {
        "employer": "City Hospital",
        "kind": "hospital",
        "region": "Anhui",
        "relevance": "direct",
    }
    assert api_for(cast.student.user).post(url, body, format="json").status_code == 200
    assert api_for(cast.tutor.user).get(url).data["employer"] == "City Hospital"
    follow_up = reverse("api:student-follow-up", args=[cast.student.pk])
    answer = {"still_there": True, "current_relevance": "direct"}
    assert api_for(cast.student.user).post(follow_up, answer, format="json").status_code == 403
    response = api_for(cast.program_admin).post(follow_up, answer, format="json")
    assert (response.status_code, response.data["current_employer"]) == (200, "City Hospital")


def test_status_history_query_count_is_flat(cast: Cast) -> None:
    api = api_for(cast.program_admin)
    url = reverse("api:student-status-changes", args=[cast.student.pk])

    def more() -> None:
        for n in range(5):
            change = student_status.change_student_status(
                user=cast.student.user,
                student=cast.student,
                action="extend",
                ends_on=days(900 + n),
                reason="x",
            )
            student_status.decide_status_request(
                user=cast.program_admin, change=change, approve=False, note="No"
            )

    assert_flat_queries(lambda: api.get(url), more, max_queries=12)


# ---- Pages -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "code"),
    [
        ("program_admin", 200),
        ("student", 200),
        ("tutor", 200),
        ("coordinator", 403),
        ("other_student", 404),
        ("outsider", 404),
    ],
)
def test_suspension_form_by_role(cast: Cast, outsider: Any, role: str, code: int) -> None:
    url = reverse("programs:student-status-change", args=[cast.student.pk, "suspend"])
    assert client_for(who(cast, role, outsider)).get(url).status_code == code


@pytest.mark.parametrize(("role", "code"), [("program_admin", 200), ("student", 403)])
def test_graduation_form_is_for_program_admins(
    cast: Cast, outsider: Any, role: str, code: int
) -> None:
    url = reverse("programs:student-status-change", args=[cast.student.pk, "graduate"])
    assert client_for(who(cast, role, outsider)).get(url).status_code == code


def test_the_program_admin_suspends_on_the_page_and_sees_the_history(cast: Cast) -> None:
    client = client_for(cast.program_admin)
    url = reverse("programs:student-status-change", args=[cast.student.pk, "suspend"])
    response = client.post(
        url,
        {"suspend-starts_on": days(-3), "suspend-ends_on": days(60), "suspend-reason": "Illness"},
    )
    assert response.status_code == 302
    page = client.get(reverse("programs:student", args=[cast.student.pk])).content.decode()
    assert "Suspension of study" in page and "Resume study" in page


def test_the_form_shows_every_error_at_once(cast: Cast) -> None:
    client = client_for(cast.program_admin)
    url = reverse("programs:student-status-change", args=[cast.student.pk, "suspend"])
    response = client.post(url, {"suspend-starts_on": days(400)})
    errors = response.context["form"].errors
    assert (response.status_code, set(errors)) == (200, {"starts_on", "ends_on", "reason"})


def test_a_students_request_waits_on_the_admins_list_and_is_decided_there(cast: Cast) -> None:
    url = reverse("programs:student-status-change", args=[cast.student.pk, "suspend"])
    client_for(cast.student.user).post(
        url,
        {"suspend-starts_on": days(-1), "suspend-ends_on": days(60), "suspend-reason": "Illness"},
    )
    change = m.StudentStatusChange.objects.get()
    admin = client_for(cast.program_admin)
    listing = admin.get(reverse("programs:status-requests")).content.decode()
    assert reverse("programs:status-decide", args=[change.pk]) in listing
    home = admin.get(reverse("core:home")).content.decode()
    assert "Student status requests to decide" in home
    decide = reverse("programs:status-decide", args=[change.pk])
    assert client_for(cast.student.user).get(decide).status_code == 403
    assert admin.post(decide, {"decision": "approve"}).status_code == 302
    cast.student.refresh_from_db()
    assert cast.student.status == Status.SUSPENDED


def test_the_requests_list_is_for_program_admins(cast: Cast) -> None:
    assert client_for(cast.tutor.user).get(reverse("programs:status-requests")).status_code == 403


def test_requests_list_query_count_is_flat(cast: Cast) -> None:
    client = client_for(cast.program_admin)

    def more() -> None:
        for _ in range(5):
            student = StudentFactory(program=cast.program)
            student_status.change_student_status(
                user=cast.program_admin,
                student=student,
                action="graduate",
                starts_on=TODAY,
                reason="x",
            )
            student_status.record_destination(
                user=cast.program_admin,
                student=student,
                employer="E",
                kind="other",
                region="R",
                relevance="direct",
            )
            m.GraduateDestination.objects.filter(student=student).update(follow_up_due=TODAY)
            other = StudentFactory(program=cast.program)
            student_status.change_student_status(
                user=other.user, student=other, action="extend", ends_on=days(900), reason="x"
            )

    assert_flat_queries(
        lambda: client.get(reverse("programs:status-requests")), more, max_queries=12
    )


def test_student_page_query_count_stays_flat_with_status_history(cast: Cast) -> None:
    client = client_for(cast.program_admin)
    url = reverse("programs:student", args=[cast.student.pk])

    def more() -> None:
        for n in range(4):
            change = student_status.change_student_status(
                user=cast.tutor.user,
                student=cast.student,
                action="extend",
                ends_on=days(900 + n),
                reason="x",
            )
            student_status.decide_status_request(
                user=cast.program_admin, change=change, approve=True
            )

    assert_flat_queries(lambda: client.get(url), more, max_queries=30)


def test_reasons_stay_within_the_circle_of_care(cast: Cast) -> None:
    bring_to(cast, Status.SUSPENDED)  # reason: "Illness"
    url = reverse("programs:student", args=[cast.student.pk])
    assert "Illness" in client_for(cast.tutor.user).get(url).content.decode()
    coordinator_page = client_for(cast.coordinator).get(url).content.decode()
    assert "Suspension of study" in coordinator_page and "Illness" not in coordinator_page
    history = reverse("api:student-status-changes", args=[cast.student.pk])
    assert api_for(cast.coordinator).get(history).status_code == 403
    assert api_for(cast.tutor.user).get(history).data[0]["reason"] == "Illness"


def test_nothing_shows_as_overdue_while_study_is_suspended(cast: Cast) -> None:
    m.Milestone.objects.create(
        student=cast.student, kind="defence", title="Proposal", due_date=days(-60)
    )
    url = reverse("programs:student", args=[cast.student.pk])
    mine = reverse("programs:my-students")
    assert "Overdue" in client_for(cast.tutor.user).get(url).content.decode()
    assert "Overdue" in client_for(cast.tutor.user).get(mine).content.decode()
    bring_to(cast, Status.SUSPENDED)
    assert "Overdue" not in client_for(cast.tutor.user).get(url).content.decode()
    assert "Overdue" not in client_for(cast.tutor.user).get(mine).content.decode()


def _milestone(student: m.Student, due: Any) -> m.Milestone:
    from tests.programs.factories import MilestoneTemplateFactory

    return m.Milestone.objects.create(
        student=student,
        template=MilestoneTemplateFactory(program=student.program),
        kind="report",
        title="Mid-term review",
        due_date=due,
    )


def test_the_decision_page_says_what_a_suspension_meets(cast: Cast) -> None:
    """The administrator deciding on a suspension sees the placements planned or running in its
    period (left as they are, with a link to change them) and the open milestones it will move;
    those outside the period are not listed."""
    m.Placement.objects.filter(pk=cast.placement.pk).update(
        start_date=days(-30), end_date=days(90), status=m.Placement.Status.ACTIVE
    )
    later = m.Placement.objects.create(
        student=cast.student, host=cast.other_hospital, start_date=days(300), end_date=days(400)
    )
    _milestone(cast.student, days(40))
    _milestone(cast.student, days(100))
    _milestone(cast.student, days(5))  # before the suspension starts
    client_for(cast.student.user).post(
        reverse("programs:student-status-change", args=[cast.student.pk, "suspend"]),
        {"suspend-starts_on": days(20), "suspend-ends_on": days(200), "suspend-reason": "Ill"},
    )
    change = m.StudentStatusChange.objects.get()
    page = client_for(cast.program_admin).get(reverse("programs:status-decide", args=[change.pk]))
    text = page.content.decode()
    assert "What this change meets" in text
    assert reverse("programs:placement", args=[cast.placement.pk]) in text
    assert reverse("programs:placement", args=[later.pk]) not in text
    assert "2 open milestones fall due from the first day" in text


def test_the_decision_page_query_count_is_flat(cast: Cast) -> None:
    client_for(cast.student.user).post(
        reverse("programs:student-status-change", args=[cast.student.pk, "withdraw"]),
        {"withdraw-starts_on": days(0), "withdraw-reason": "Moved abroad"},
    )
    change = m.StudentStatusChange.objects.get()
    admin = client_for(cast.program_admin)
    url = reverse("programs:status-decide", args=[change.pk])

    def more() -> None:
        for n in range(3):
            m.Placement.objects.create(
                student=cast.student,
                host=cast.other_hospital,
                start_date=days(10 + n),
                end_date=days(50 + n),
            )
            _milestone(cast.student, days(60 + n))

    assert_flat_queries(lambda: admin.get(url), more, max_queries=20)
