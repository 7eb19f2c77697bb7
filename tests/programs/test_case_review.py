"""The review of case logs: the practice tutor verifies, queries or rejects (with a reason the
student sees); the student answers or corrects, which returns the cases to the tutor; rejected
cases do not count; a case dated before enrolment or in the future is refused."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from programs import models as m
from programs.training.services import logs
from tests.cast import Cast
from tests.clients import api_for, client_for
from tests.queries import assert_flat_queries

from .factories import StudentFactory

pytestmark = pytest.mark.django_db

#: state of the case -> how to put a case in it
STATES = ("pending", "queried", "rejected", "verified")
#: action -> (states it starts from, who may take it), written out here on its own
TABLE = {
    "verify": ({"pending", "queried"}, "practice_tutor"),
    "query": ({"pending"}, "practice_tutor"),
    "reject": ({"pending", "queried"}, "practice_tutor"),
    "answer": ({"queried", "rejected"}, "student"),
}
RESULT = {"verify": "verified", "query": "queried", "reject": "rejected", "answer": "pending"}
ROLES = ("practice_tutor", "tutor", "student", "program_admin", "coordinator")


def person(cast: Cast, name: str) -> Any:
    return {
        "practice_tutor": cast.practice_tutor.user,
        "tutor": cast.tutor.user,
        "student": cast.student.user,
        "program_admin": cast.program_admin,
        "coordinator": cast.coordinator,
    }[name]


def case_log(cast: Cast, state: str = "pending", **fields: Any) -> m.CaseLog:
    now = timezone.now()
    values: dict[str, Any] = {
        "student": cast.student,
        "date": dt.date(2026, 3, 12),
        "modality": m.CaseLog.Modality.CT,
        "procedure": "Chest CT",
        "count": 4,
        "role": m.CaseLog.Role.ASSISTED,
        "placement": cast.placement,
        "recorded_by": cast.student.user,
        **{
            "pending": {},
            "queried": {"query": "Which protocol?", "queried_at": now},
            "rejected": {
                "rejection_reason": "Not at this placement.",
                "rejected_at": now,
                "rejected_by": cast.practice_tutor.user,
            },
            "verified": {"verified_at": now, "verified_by": cast.practice_tutor.user},
        }[state],
        **fields,
    }
    return m.CaseLog.objects.create(**values)


def take(action: str, user: Any, case: m.CaseLog) -> m.CaseLog:
    if action == "verify":
        return logs.verify_case_log(user=user, case_log=case)
    if action == "query":
        return logs.query_case_log(user=user, case_log=case, question="Which protocol?")
    if action == "reject":
        return logs.reject_case_log(user=user, case_log=case, reason="Wrong modality.")
    return logs.answer_case_log(user=user, case_log=case, answer="Low-dose chest protocol.")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", sorted(TABLE))
def test_the_review_table_through_the_services(cast: Cast, action: str, role: str) -> None:
    states, allowed = TABLE[action]
    for state in STATES:
        case = case_log(cast, state)
        if role != allowed:
            with pytest.raises(PermissionDenied):
                take(action, person(cast, role), case)
            want = state
        elif state not in states:
            with pytest.raises(ValidationError):
                take(action, person(cast, role), case)
            want = state
        else:
            take(action, person(cast, role), case)
            want = RESULT[action]
        case.refresh_from_db()
        assert case.review_state == want, (state, role)


@pytest.mark.parametrize(
    ("role", "action", "status"),
    [
        ("practice_tutor", "query", 200),
        ("practice_tutor", "reject", 200),
        ("tutor", "query", 403),
        ("tutor", "reject", 403),
        ("student", "reject", 403),
        ("coordinator", "reject", 403),
        ("student", "answer", 400),  # nothing to answer on a pending case
        ("practice_tutor", "answer", 403),
    ],
)
def test_the_review_through_the_api(cast: Cast, role: str, action: str, status: int) -> None:
    case = case_log(cast)
    payload = {"question": "Which protocol?", "reason": "Wrong modality.", "answer": "x"}
    response = api_for(person(cast, role)).post(
        reverse(f"api:case-log-{action}", args=[case.pk]), payload, format="json"
    )
    assert response.status_code == status
    if status == 200:
        assert response.data["review_state"] == RESULT[action]


def test_another_students_case_is_hidden_from_the_api(cast: Cast) -> None:
    case = case_log(cast, student=cast.other_student, placement=None)
    response = api_for(cast.practice_tutor.user).post(
        reverse("api:case-log-reject", args=[case.pk]), {"reason": "No."}, format="json"
    )
    assert response.status_code == 404


def test_the_student_sees_the_reason_corrects_and_the_case_counts_again(cast: Cast) -> None:
    case = case_log(cast)
    assert logs.case_totals(student=cast.student)[0]["total"] == 4
    logs.reject_case_log(user=cast.practice_tutor.user, case_log=case, reason="MR, not CT.")
    assert logs.case_totals(student=cast.student) == []  # rejected cases do not count
    page = client_for(cast.student.user).get(reverse("programs:case-log-create"))
    assert "MR, not CT." in page.content.decode()
    answer_url = reverse("programs:case-log-answer", args=[case.pk])
    assert answer_url in page.content.decode()
    response = client_for(cast.student.user).post(
        answer_url,
        {
            "answer": "",
            "date": "2026-03-12",
            "modality": "mr",
            "procedure": "Knee MR",
            "count": "4",
            "role": "assisted",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.review_state, case.modality) == ("pending", "mr")
    assert logs.case_totals(student=cast.student)[0]["total"] == 4
    to_verify = client_for(cast.practice_tutor.user).get(reverse("programs:cases-to-verify"))
    assert reverse("programs:case-log-verify", args=[case.pk]) in to_verify.content.decode()


def test_a_queried_case_leaves_the_tutors_list_until_answered(cast: Cast) -> None:
    case = case_log(cast)
    tutor = client_for(cast.practice_tutor.user)
    url = reverse("programs:case-log-query", args=[case.pk])
    refused = tutor.post(url, {"note": " "})
    assert refused.status_code == 200
    assert "Write the question for the student." in refused.content.decode()
    assert tutor.post(url, {"note": "Which protocol?"}).status_code == 302
    verify = reverse("programs:case-log-verify", args=[case.pk])
    assert verify not in tutor.get(reverse("programs:cases-to-verify")).content.decode()
    student_page = client_for(cast.student.user).get(reverse("programs:case-log-create"))
    assert "Which protocol?" in student_page.content.decode()
    logs.answer_case_log(user=cast.student.user, case_log=case, answer="Low-dose protocol.")
    assert verify in tutor.get(reverse("programs:cases-to-verify")).content.decode()


def test_answering_needs_an_answer_or_a_correction(cast: Cast) -> None:
    case = case_log(cast, "queried")
    with pytest.raises(ValidationError) as caught:
        logs.answer_case_log(user=cast.student.user, case_log=case, answer=" ")
    assert set(caught.value.message_dict) == {"answer"}


def test_a_correction_is_checked_like_a_new_case(cast: Cast) -> None:
    case = case_log(cast, "rejected")
    with pytest.raises(ValidationError) as caught:
        logs.answer_case_log(
            user=cast.student.user, case_log=case, date=dt.date(2024, 1, 1), count=0
        )
    assert set(caught.value.message_dict) == {"date", "count"}
    case.refresh_from_db()
    assert case.review_state == "rejected"


def test_the_answer_page_is_the_students_own(cast: Cast) -> None:
    case = case_log(cast, "queried")
    url = reverse("programs:case-log-answer", args=[case.pk])
    assert client_for(cast.student.user).get(url).status_code == 200
    assert client_for(cast.practice_tutor.user).get(url).status_code == 403
    assert client_for(cast.other_student.user).get(url).status_code == 404


# ---- Dates ---------------------------------------------------------------------------------


def record(cast: Cast, date: dt.date) -> m.CaseLog:
    return logs.record_case_log(
        user=cast.student.user,
        student=cast.student,
        date=date,
        modality="ct",
        procedure="Chest CT",
        count=1,
        role="observed",
    )


def test_a_case_before_enrolment_is_refused_on_the_date(cast: Cast) -> None:
    with pytest.raises(ValidationError) as caught:
        record(cast, cast.student.enrolled_on - dt.timedelta(days=1))
    (message,) = caught.value.message_dict["date"]
    assert message.startswith("The date cannot be before the student's enrolment")
    assert record(cast, cast.student.enrolled_on).pk


def test_a_case_in_the_future_is_refused_on_the_date(cast: Cast) -> None:
    with pytest.raises(ValidationError) as caught:
        record(cast, timezone.localdate() + dt.timedelta(days=1))
    assert caught.value.message_dict == {"date": ["The date cannot be in the future."]}


def test_the_form_and_the_api_show_the_enrolment_error_on_the_date(cast: Cast) -> None:
    before = (cast.student.enrolled_on - dt.timedelta(days=3)).isoformat()
    page = client_for(cast.student.user).post(
        reverse("programs:case-log-create"),
        {"date": before, "modality": "mr", "procedure": "Knee", "count": "1", "role": "observed"},
    )
    assert page.status_code == 200 and "date" in page.context["form"].errors
    api = api_for(cast.student.user).post(
        reverse("api:case-log-list"),
        {
            "student": cast.student.pk,
            "date": before,
            "modality": "mr",
            "procedure": "Knee",
            "count": 1,
            "role": "observed",
        },
        format="json",
    )
    assert api.status_code == 400 and "date" in api.data
    assert not m.CaseLog.objects.exists()


def test_the_to_verify_and_answer_pages_queries_stay_flat(cast: Cast) -> None:
    tutor = client_for(cast.practice_tutor.user)
    student = client_for(cast.student.user)
    first = case_log(cast, "queried")
    case_log(cast, "pending")  # the list is not empty before it grows

    def grow() -> None:
        for state in ("pending", "queried", "rejected"):
            case_log(cast, state)
        StudentFactory(program=cast.program)

    assert_flat_queries(
        lambda: tutor.get(reverse("programs:cases-to-verify")), grow, max_queries=12
    )
    assert_flat_queries(
        lambda: student.get(reverse("programs:case-log-create")), grow, max_queries=14
    )
    assert_flat_queries(
        lambda: student.get(reverse("programs:case-log-answer", args=[first.pk])),
        grow,
        max_queries=10,
    )


def test_a_sign_off_link_settles_an_earlier_rejection(cast: Cast) -> None:
    from programs.training.services import signoff

    case = case_log(cast)
    token = signoff.issue_signoff_link(
        user=cast.student.user, target=case, tutor_user=cast.practice_tutor.user
    )
    logs.reject_case_log(user=cast.practice_tutor.user, case_log=case, reason="Which ward?")
    signoff.redeem_signoff(token=token)
    case.refresh_from_db()
    assert (case.review_state, case.rejected_at) == ("verified", None)


def test_cases_recorded_in_a_progress_log_before_enrolment_are_refused(cast: Cast) -> None:
    with pytest.raises(ValidationError) as caught:
        logs.write_progress_log(
            user=cast.practice_tutor.user,
            student=cast.student,
            date=cast.student.enrolled_on - dt.timedelta(days=1),
            kind="clinical",
            minutes=60,
            summary="CT session",
            cases=[{"modality": "ct", "procedure": "Chest CT", "count": 2, "role": "observed"}],
        )
    assert set(caught.value.message_dict) == {"date"}
    assert not m.CaseLog.objects.exists()
