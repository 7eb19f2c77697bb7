"""Case logs in the browser: Stan records his cases on his phone; Pia, the practice tutor of
his placement, verifies them; Tom (academic tutor) and the others may not.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from programs import models as m
from programs.scopes import case_logs_to_verify_filter
from programs.training.attention import case_logs_to_verify_attention
from programs.training.permissions import can_verify_case_log
from tests.cast import Cast, matrix, who
from tests.clients import client_for
from tests.queries import assert_flat_queries
from training_portal.core.attention import attention_for

from .factories import AssignmentFactory, PlacementFactory, StudentFactory, TutorFactory, grant

pytestmark = pytest.mark.django_db

CAST = [
    "program_admin",
    "coordinator",
    "tutor",
    "practice_tutor",
    "other_tutor",
    "student",
    "other_student",
    "outsider",
    "anonymous",
]


def person(cast: Cast, name: str, outsider: User) -> Any:
    return None if name == "anonymous" else who(cast, name, outsider)


def case_log(cast: Cast, student: m.Student | None = None, **fields: Any) -> m.CaseLog:
    student = student or cast.student
    values: dict[str, Any] = {
        "student": student,
        "date": dt.date(2026, 3, 12),
        "modality": m.CaseLog.Modality.CT,
        "procedure": "Chest CT",
        "count": 4,
        "role": m.CaseLog.Role.ASSISTED,
        "placement": cast.placement if student == cast.student else None,
        "recorded_by": student.user,
    }
    values.update(fields)
    return m.CaseLog.objects.create(**values)


def form_data(**fields: Any) -> dict[str, Any]:
    data = {
        "date": timezone.localdate().isoformat(),
        "modality": "mr",
        "procedure": "Knee MR",
        "count": "3",
        "role": "observed",
        "placement": "",
    }
    data.update(fields)
    return data


# ---- Recording cases -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "status"),
    matrix(
        CAST,
        program_admin=403,
        coordinator=403,
        tutor=403,
        practice_tutor=403,
        other_tutor=403,
        student=200,
        other_student=200,
        outsider=403,
        anonymous=302,
    ),
)
def test_case_log_form_by_role(cast: Cast, outsider: User, name: str, status: int) -> None:
    response = client_for(person(cast, name, outsider)).get(reverse("programs:case-log-create"))
    assert response.status_code == status


def test_the_student_records_cases_of_their_placement_and_sees_them_unverified(
    cast: Cast,
) -> None:
    client = client_for(cast.student.user)
    url = reverse("programs:case-log-create")
    form = client.get(url).context["form"]
    assert list(form.fields["placement"].queryset) == [cast.placement]
    assert form.initial["date"] == timezone.localdate()
    response = client.post(url, form_data(placement=str(cast.placement.pk)))
    assert response.status_code == 302 and response["Location"] == url
    entry = m.CaseLog.objects.get()
    assert (entry.student, entry.recorded_by, entry.placement) == (
        cast.student,
        cast.student.user,
        cast.placement,
    )
    assert (entry.modality, entry.count, entry.role, entry.verified_at) == (
        "mr",
        3,
        "observed",
        None,
    )
    page = client.get(url).content.decode()
    assert "Knee MR" in page and "Not verified yet" in page


def test_a_case_without_a_placement_is_recorded_too(cast: Cast) -> None:
    response = client_for(cast.student.user).post(reverse("programs:case-log-create"), form_data())
    assert response.status_code == 302
    assert m.CaseLog.objects.get().placement is None


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"date": "2999-01-01"}, {"date": ["The date cannot be in the future."]}),
        ({"date": "2026-13-45"}, {"date": ["Enter a valid date."]}),
        ({"count": "0"}, {"count": ["Ensure this value is greater than or equal to 1."]}),
        ({"count": "-3"}, {"count": ["Ensure this value is greater than or equal to 1."]}),
        ({"count": "1001"}, {"count": ["Ensure this value is less than or equal to 1000."]}),
        ({"count": "two"}, {"count": ["Enter a whole number."]}),
        (
            {"modality": "xray"},
            {"modality": ["“xray” is not one of the choices; pick one from the list."]},
        ),
        (
            {"role": "led"},
            {"role": ["“led” is not one of the choices; pick one from the list."]},
        ),
        ({"procedure": ""}, {"procedure": ["This field is required."]}),
    ],
)
def test_bad_cases_are_shown_again_with_field_errors_and_nothing_saved(
    cast: Cast, fields: dict[str, str], errors: dict[str, list[str]]
) -> None:
    response = client_for(cast.student.user).post(
        reverse("programs:case-log-create"), form_data(**fields)
    )
    assert response.status_code == 200
    assert response.context["form"].errors == errors
    assert not m.CaseLog.objects.exists()


def test_a_student_cannot_record_on_another_students_placement(cast: Cast) -> None:
    theirs = PlacementFactory.create(student=cast.other_student, host=cast.hospital)
    response = client_for(cast.student.user).post(
        reverse("programs:case-log-create"), form_data(placement=str(theirs.pk))
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["placement"]
    assert not m.CaseLog.objects.exists()


def test_record_a_case_is_offered_to_the_student_only(cast: Cast) -> None:
    url = reverse("programs:case-log-create")
    student = client_for(cast.student.user)
    assert url in student.get(reverse("programs:my-plan")).content.decode()
    student_page = reverse("programs:student", args=[cast.student.pk])
    assert url in student.get(student_page).content.decode()
    for user in (cast.tutor.user, cast.practice_tutor.user, cast.program_admin):
        assert url not in client_for(user).get(student_page).content.decode()


def test_recorded_cases_count_towards_the_totals_on_my_plan(cast: Cast) -> None:
    plan = m.TrainingPlan.objects.create(
        student=cast.student, version=1, career_goal="clinical", personal_objectives="CT"
    )
    m.PlanCaseTarget.objects.create(plan=plan, modality="mr", target=40)
    client = client_for(cast.student.user)
    client.post(reverse("programs:case-log-create"), form_data(count="5"))
    totals = client.get(reverse("programs:my-plan")).context["case_totals"]
    assert totals == [{"modality": "mr", "label": "MR", "total": 5, "verified": 0, "target": 40}]


def test_case_log_form_query_count_is_flat(cast: Cast) -> None:
    client = client_for(cast.student.user)
    case_log(cast)

    def grow() -> None:
        for n in range(30):
            case_log(cast, placement=PlacementFactory(student=cast.student), count=n + 1)

    assert_flat_queries(
        lambda: client.get(reverse("programs:case-log-create")), grow, max_queries=12
    )


# ---- Verifying cases -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "status"),
    matrix(
        CAST,
        program_admin=403,
        coordinator=403,
        tutor=200,
        practice_tutor=200,
        other_tutor=403,  # a tutor profile without a current tutor role
        student=403,
        other_student=403,
        outsider=403,
        anonymous=302,
    ),
)
def test_cases_to_verify_by_role(cast: Cast, outsider: User, name: str, status: int) -> None:
    case_log(cast)
    response = client_for(person(cast, name, outsider)).get(reverse("programs:cases-to-verify"))
    assert response.status_code == status
    if status == 200:
        # Only the practice tutor of the placement verifies its cases.
        assert ("Chest CT" in response.content.decode()) == (name == "practice_tutor")


@pytest.mark.parametrize(
    ("name", "status"),
    matrix(
        CAST,
        program_admin=403,
        coordinator=403,  # sees the cases of placements at their hospital, verifies none
        tutor=403,  # the academic tutor: the practice tutor verifies
        practice_tutor=302,
        other_tutor=404,
        student=403,
        other_student=404,
        outsider=404,
        anonymous=302,
    ),
)
def test_case_log_verify_by_role(cast: Cast, outsider: User, name: str, status: int) -> None:
    entry = case_log(cast)
    url = reverse("programs:case-log-verify", args=[entry.pk])
    response = client_for(person(cast, name, outsider)).post(url)
    assert response.status_code == status
    entry.refresh_from_db()
    if name == "practice_tutor":
        assert response["Location"] == reverse("programs:cases-to-verify")
        assert entry.verified_by == cast.practice_tutor.user and entry.verified_at
    else:
        assert entry.verified_at is None


def test_verify_only_by_post(cast: Cast) -> None:
    entry = case_log(cast)
    url = reverse("programs:case-log-verify", args=[entry.pk])
    assert client_for(cast.practice_tutor.user).get(url).status_code == 405


def test_verifying_twice_is_shown_as_an_error_not_a_500(cast: Cast) -> None:
    entry = case_log(cast)
    client = client_for(cast.practice_tutor.user)
    url = reverse("programs:case-log-verify", args=[entry.pk])
    assert client.post(url).status_code == 302
    again = client.post(url)
    assert again.status_code == 200
    [message] = again.context["form"].non_field_errors()
    assert message.startswith("These cases were already verified on ")


def test_cases_without_a_placement_go_to_the_students_practice_tutor(cast: Cast) -> None:
    entry = case_log(cast, placement=None)
    url = reverse("programs:cases-to-verify")
    assert "Chest CT" in client_for(cast.practice_tutor.user).get(url).content.decode()
    verify = reverse("programs:case-log-verify", args=[entry.pk])
    assert client_for(cast.tutor.user).post(verify).status_code == 403
    assert client_for(cast.practice_tutor.user).post(verify).status_code == 302


def test_another_practice_tutors_placement_is_not_pias_to_verify(cast: Cast) -> None:
    colleague = TutorFactory(kind=m.TutorProfile.Kind.PRACTICE, organization=cast.hospital)
    grant(colleague.user, Role.PRACTICE_TUTOR, cast.hospital)
    AssignmentFactory(student=cast.student, tutor=colleague)
    elsewhere = PlacementFactory(student=cast.student, host=cast.hospital, practice_tutor=colleague)
    entry = case_log(cast, placement=elsewhere, procedure="Spine MR")
    page = client_for(cast.practice_tutor.user).get(reverse("programs:cases-to-verify"))
    assert "Spine MR" not in page.content.decode()
    verify = reverse("programs:case-log-verify", args=[entry.pk])
    assert client_for(cast.practice_tutor.user).post(verify).status_code == 403
    assert "Spine MR" in (
        client_for(colleague.user).get(reverse("programs:cases-to-verify")).content.decode()
    )


def test_the_list_to_verify_follows_the_verification_rule(cast: Cast) -> None:
    """Every unverified entry a tutor sees is listed exactly when they may verify it."""
    colleague = TutorFactory(kind=m.TutorProfile.Kind.PRACTICE, organization=cast.hospital)
    AssignmentFactory(student=cast.student, tutor=colleague)
    untutored = PlacementFactory(student=cast.student, host=cast.hospital)
    entries = [
        case_log(cast),
        case_log(cast, placement=None),
        case_log(cast, placement=untutored),
        case_log(cast, placement=PlacementFactory(student=cast.student, practice_tutor=colleague)),
        case_log(cast, student=cast.other_student),
        case_log(cast, verified_by=cast.practice_tutor.user, verified_at=timezone.now()),
    ]
    for user in (cast.practice_tutor.user, colleague.user, cast.tutor.user, cast.other_tutor.user):
        visible = m.CaseLog.objects.visible_to(user)
        listed = set(visible.filter(case_logs_to_verify_filter(user)))
        allowed = {
            entry
            for entry in visible.filter(pk__in=[e.pk for e in entries], verified_at__isnull=True)
            if can_verify_case_log(user, entry)
        }
        assert listed == allowed, user
    assert len(m.CaseLog.objects.filter(case_logs_to_verify_filter(colleague.user))) == 3


def test_cases_to_verify_query_count_is_flat(cast: Cast) -> None:
    client = client_for(cast.practice_tutor.user)
    case_log(cast)

    def grow() -> None:
        for n in range(30):
            student = StudentFactory.create(program=cast.program)
            AssignmentFactory(student=student, tutor=cast.practice_tutor)
            placement = PlacementFactory(
                student=student, host=cast.hospital, practice_tutor=cast.practice_tutor
            )
            case_log(cast, student=student, placement=placement, count=n + 1)

    assert_flat_queries(
        lambda: client.get(reverse("programs:cases-to-verify")), grow, max_queries=12
    )


# ---- Attention ------------------------------------------------------------------------------


def test_the_practice_tutor_is_told_how_many_entries_wait_in_one_query(cast: Cast) -> None:
    case_log(cast)
    case_log(cast, placement=None)
    case_log(cast, verified_by=cast.practice_tutor.user, verified_at=timezone.now())
    user = cast.practice_tutor.user
    user.role_names  # noqa: B018  # the roles are read once per request, before any provider
    with CaptureQueriesContext(connection) as queries:
        [item] = case_logs_to_verify_attention(user)
    assert len(queries) == 1
    assert (str(item.label), item.count, item.url) == (
        "Case-log entries to verify",
        2,
        reverse("programs:cases-to-verify"),
    )
    assert item in attention_for(user)


def test_nobody_else_is_told_about_entries_to_verify(cast: Cast, outsider: User) -> None:
    case_log(cast)
    assert case_logs_to_verify_attention(cast.tutor.user)[0].count == 0
    for user in (cast.student.user, cast.coordinator, cast.program_admin, outsider):
        assert case_logs_to_verify_attention(user) == []
