"""Tutors, students and dual supervision, told through the cast."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import RoleMembership, User
from accounts.roles import Role
from programs import models as m
from programs.people.services import people as s
from tests.cast import Cast
from tests.factories import UserFactory
from training_portal.core.models import Notification

from .factories import (
    MilestoneTemplateFactory,
    ProgramFactory,
    StudentFactory,
    grant,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def errors_of(excinfo: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return excinfo.value.message_dict


def holds(user: User, role: Role, scope: Any) -> bool:
    return RoleMembership.objects.filter(
        user=user,
        role=role,
        scope_type=ContentType.objects.get_for_model(scope),
        scope_id=scope.pk,
    ).exists()


def titles_for(user: User) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("title", flat=True))


def partner(cast: Cast, organization: m.Organization) -> m.ProgramPartner:
    return m.ProgramPartner.objects.create(
        program=cast.program, organization=organization, agreement_start=dt.date(2025, 9, 1)
    )


# ---- Tutors --------------------------------------------------------------------------------


def test_a_program_administrator_makes_a_colleague_of_the_lead_university_a_tutor(
    cast: Cast,
) -> None:
    person = UserFactory()
    tutor = s.create_tutor(
        user=cast.program_admin,
        tutor_user=person,
        kind="academic",
        organization=cast.program.lead_university,
        capacity=4,
        professional_title="Professor",
    )
    assert (tutor.kind, tutor.capacity, tutor.professional_title) == ("academic", 4, "Professor")
    assert holds(person, Role.ACADEMIC_TUTOR, cast.program.lead_university)
    membership = RoleMembership.objects.get(user=person, role=Role.ACADEMIC_TUTOR)
    assert membership.granted_by == cast.program_admin


def test_a_partner_hospitals_practice_tutor_gets_the_practice_tutor_role(cast: Cast) -> None:
    partner(cast, cast.other_hospital)
    person = UserFactory()
    s.create_tutor(
        user=cast.program_admin,
        tutor_user=person,
        kind="practice",
        organization=cast.other_hospital,
        capacity=2,
    )
    assert holds(person, Role.PRACTICE_TUTOR, cast.other_hospital)


def test_tutors_of_an_organisation_outside_the_program_are_for_the_portal_administrator(
    cast: Cast, admin: User
) -> None:
    with pytest.raises(PermissionDenied):
        s.create_tutor(
            user=cast.program_admin,
            tutor_user=UserFactory(),
            kind="practice",
            organization=cast.other_hospital,
            capacity=2,
        )
    tutor = s.create_tutor(
        user=admin,
        tutor_user=UserFactory(),
        kind="practice",
        organization=cast.other_hospital,
        capacity=2,
    )
    assert tutor.organization == cast.other_hospital


@pytest.mark.parametrize("who", ["other_coordinator", "tutor", "outsider"])
def test_only_administrators_and_coordinators_create_tutors(
    who: str, cast: Cast, outsider: User
) -> None:
    user = {
        "other_coordinator": cast.other_coordinator,
        "tutor": cast.tutor.user,
        "outsider": outsider,
    }[who]
    partner(cast, cast.hospital)
    with pytest.raises(PermissionDenied):
        s.create_tutor(
            user=user,
            tutor_user=UserFactory(),
            kind="practice",
            organization=cast.hospital,
            capacity=2,
        )


def test_a_coordinator_adds_tutors_to_their_own_organisation_only(cast: Cast) -> None:
    tutor = s.create_tutor(
        user=cast.coordinator,
        tutor_user=UserFactory(),
        kind="practice",
        organization=cast.hospital,
        capacity=2,
    )
    assert tutor.organization == cast.hospital
    with pytest.raises(PermissionDenied):
        s.create_tutor(
            user=cast.coordinator,
            tutor_user=UserFactory(),
            kind="practice",
            organization=cast.other_hospital,
            capacity=2,
        )


def test_a_tutor_profile_is_one_per_person_and_has_a_sensible_capacity(cast: Cast) -> None:
    with pytest.raises(ValidationError) as excinfo:
        s.create_tutor(
            user=cast.program_admin,
            tutor_user=cast.tutor.user,
            kind="academic",
            organization=cast.program.lead_university,
            capacity=0,
        )
    assert sorted(errors_of(excinfo)) == ["capacity", "tutor_user"]


def test_a_tutor_is_academic_or_practice(cast: Cast) -> None:
    person = UserFactory()
    with pytest.raises(ValidationError) as excinfo:
        s.create_tutor(
            user=cast.program_admin,
            tutor_user=person,
            kind="honorary",
            organization=cast.program.lead_university,
            capacity=3,
        )
    assert list(errors_of(excinfo)) == ["kind"]
    assert not RoleMembership.objects.filter(user=person).exists()


# ---- Students ------------------------------------------------------------------------------


def test_a_program_administrator_enrols_a_student_with_role_and_milestones(cast: Cast) -> None:
    MilestoneTemplateFactory(program=cast.program, title="Proposal", due_offset_days=180)
    MilestoneTemplateFactory(program=cast.program, title="Defence", due_offset_days=900)
    person = UserFactory()
    student = s.enrol_student(
        user=cast.program_admin,
        student_user=person,
        program=cast.program,
        student_number=" S2026001 ",
        cohort=2026,
        enrolled_on=dt.date(2026, 9, 1),
    )
    assert (student.student_number, student.status) == ("S2026001", "active")
    assert holds(person, Role.STUDENT, cast.program)
    due = dict(student.milestones.values_list("title", "due_date"))
    assert due == {"Proposal": dt.date(2027, 2, 28), "Defence": dt.date(2029, 2, 17)}


def test_a_student_number_is_unique(cast: Cast) -> None:
    with pytest.raises(ValidationError) as excinfo:
        s.enrol_student(
            user=cast.program_admin,
            student_user=UserFactory(),
            program=cast.program,
            student_number=cast.student.student_number,
            cohort=2026,
            enrolled_on=dt.date(2026, 9, 1),
        )
    assert list(errors_of(excinfo)) == ["student_number"]


def test_a_person_is_enrolled_once_in_an_open_program_of_a_plausible_cohort(cast: Cast) -> None:
    cast.program.status = m.Program.Status.CLOSED
    cast.program.save()
    with pytest.raises(ValidationError) as excinfo:
        s.enrol_student(
            user=cast.program_admin,
            student_user=cast.student.user,
            program=cast.program,
            student_number="S1",
            cohort=1900,
            enrolled_on=dt.date(2026, 9, 1),
        )
    assert sorted(errors_of(excinfo)) == ["cohort", "program", "student_user"]


@pytest.mark.parametrize("who", ["coordinator", "tutor", "other_programs_admin"])
def test_only_the_programs_administrators_enrol_students(who: str, cast: Cast) -> None:
    if who == "other_programs_admin":
        user = UserFactory()
        grant(user, Role.PROGRAM_ADMIN, ProgramFactory())
    else:
        user = {"coordinator": cast.coordinator, "tutor": cast.tutor.user}[who]
    with pytest.raises(PermissionDenied):
        s.enrol_student(
            user=user,
            student_user=UserFactory(),
            program=cast.program,
            student_number="S1",
            cohort=2026,
            enrolled_on=dt.date(2026, 9, 1),
        )


# ---- Assignments ---------------------------------------------------------------------------


def newcomer(cast: Cast) -> m.Student:
    return StudentFactory(program=cast.program)


def test_a_program_administrator_assigns_a_practice_tutor_who_is_told(cast: Cast) -> None:
    student = newcomer(cast)
    assignment = s.assign_tutor(
        user=cast.program_admin, student=student, tutor=cast.practice_tutor, role="practice"
    )
    assert (assignment.ended_on, assignment.assigned_by) == (None, cast.program_admin)
    assert assignment.over_capacity_reason == ""
    assert titles_for(cast.practice_tutor.user) == [f"You are now a tutor of {student.user}"]
    assert titles_for(cast.program_admin) == []


def test_a_tutors_role_matches_their_kind(cast: Cast) -> None:
    with pytest.raises(ValidationError) as excinfo:
        s.assign_tutor(
            user=cast.program_admin, student=newcomer(cast), tutor=cast.tutor, role="practice"
        )
    assert list(errors_of(excinfo)) == ["role"]


def test_a_student_has_one_academic_tutor_unless_replaced_explicitly(cast: Cast) -> None:
    with pytest.raises(ValidationError) as excinfo:
        s.assign_tutor(
            user=cast.program_admin, student=cast.student, tutor=cast.other_tutor, role="academic"
        )
    assert list(errors_of(excinfo)) == ["tutor"]
    assert titles_for(cast.other_tutor.user) == []

    s.assign_tutor(
        user=cast.program_admin,
        student=cast.student,
        tutor=cast.other_tutor,
        role="academic",
        replace=True,
    )
    current = m.TutorAssignment.objects.filter(
        student=cast.student, role="academic", ended_on__isnull=True
    )
    assert [a.tutor for a in current] == [cast.other_tutor]
    ended = m.TutorAssignment.objects.get(student=cast.student, tutor=cast.tutor)
    assert ended.ended_on == TODAY()
    assert titles_for(cast.tutor.user) == [f"Your supervision of {cast.student.user} has ended"]
    assert titles_for(cast.other_tutor.user) == [f"You are now a tutor of {cast.student.user}"]


def test_a_tutor_supervises_a_student_once_at_a_time(cast: Cast) -> None:
    with pytest.raises(ValidationError) as excinfo:
        s.assign_tutor(
            user=cast.program_admin,
            student=cast.student,
            tutor=cast.practice_tutor,
            role="practice",
        )
    assert errors_of(excinfo) == {"tutor": ["This tutor already supervises this student."]}


def test_an_inactive_tutor_takes_no_students(cast: Cast) -> None:
    cast.practice_tutor.is_active = False
    cast.practice_tutor.save()
    with pytest.raises(ValidationError) as excinfo:
        s.assign_tutor(
            user=cast.program_admin,
            student=newcomer(cast),
            tutor=cast.practice_tutor,
            role="practice",
        )
    assert list(errors_of(excinfo)) == ["tutor"]


def test_a_tutor_at_capacity_takes_one_more_only_with_a_reason(cast: Cast) -> None:
    cast.other_tutor.capacity = 1
    cast.other_tutor.save()
    student = newcomer(cast)
    with pytest.raises(ValidationError) as excinfo:
        s.assign_tutor(
            user=cast.program_admin, student=student, tutor=cast.other_tutor, role="academic"
        )
    assert list(errors_of(excinfo)) == ["over_capacity_reason"]
    assert "capacity 1" in errors_of(excinfo)["over_capacity_reason"][0]
    with pytest.raises(ValidationError):
        s.assign_tutor(
            user=cast.program_admin,
            student=student,
            tutor=cast.other_tutor,
            role="academic",
            over_capacity_reason="   ",
        )

    assignment = s.assign_tutor(
        user=cast.program_admin,
        student=student,
        tutor=cast.other_tutor,
        role="academic",
        over_capacity_reason=" Only CT specialist. ",
    )
    assert assignment.over_capacity_reason == "Only CT specialist."
    (note,) = Notification.objects.filter(recipient=cast.other_tutor.user)
    assert "Only CT specialist." in note.body


def test_students_who_left_do_not_count_against_capacity(cast: Cast) -> None:
    cast.other_tutor.capacity = 1
    cast.other_tutor.save()
    cast.other_student.status = m.Student.Status.GRADUATED
    cast.other_student.save()
    assignment = s.assign_tutor(
        user=cast.program_admin,
        student=newcomer(cast),
        tutor=cast.other_tutor,
        role="academic",
        over_capacity_reason="Not needed, so not kept.",
    )
    assert assignment.over_capacity_reason == ""


@pytest.mark.parametrize("who", ["coordinator", "tutor", "student", "other_programs_admin"])
def test_only_the_programs_administrators_assign_tutors(who: str, cast: Cast) -> None:
    if who == "other_programs_admin":
        user = UserFactory()
        grant(user, Role.PROGRAM_ADMIN, ProgramFactory())
    else:
        user = {
            "coordinator": cast.coordinator,
            "tutor": cast.tutor.user,
            "student": cast.student.user,
        }[who]
    with pytest.raises(PermissionDenied):
        s.assign_tutor(
            user=user, student=newcomer(cast), tutor=cast.practice_tutor, role="practice"
        )
    assert not Notification.objects.exists()


def test_a_program_administrator_ends_a_supervision_and_the_tutor_is_told(cast: Cast) -> None:
    assignment = m.TutorAssignment.objects.get(student=cast.student, tutor=cast.practice_tutor)
    s.end_assignment(user=cast.program_admin, assignment=assignment, ended_on=dt.date(2026, 2, 1))
    assignment.refresh_from_db()
    assert assignment.ended_on == dt.date(2026, 2, 1)
    assert titles_for(cast.practice_tutor.user) == [
        f"Your supervision of {cast.student.user} has ended"
    ]


@pytest.mark.parametrize(
    ("ended_on", "already_ended"),
    [
        (TODAY() + dt.timedelta(days=1), False),
        (dt.date(2025, 8, 31), False),
        (dt.date(2026, 2, 1), True),
    ],
    ids=["not_in_the_future", "not_before_it_started", "not_twice"],
)
def test_a_supervision_ends(ended_on: dt.date, already_ended: bool, cast: Cast) -> None:
    assignment = m.TutorAssignment.objects.get(student=cast.student, tutor=cast.practice_tutor)
    if already_ended:
        m.TutorAssignment.objects.filter(pk=assignment.pk).update(ended_on=dt.date(2026, 1, 1))
    with pytest.raises(ValidationError) as excinfo:
        s.end_assignment(user=cast.program_admin, assignment=assignment, ended_on=ended_on)
    assert list(errors_of(excinfo)) == ["ended_on"]


def test_only_the_programs_administrators_end_a_supervision(cast: Cast) -> None:
    assignment = m.TutorAssignment.objects.get(student=cast.student, tutor=cast.practice_tutor)
    for user in (cast.practice_tutor.user, cast.coordinator, cast.student.user):
        with pytest.raises(PermissionDenied):
            s.end_assignment(user=user, assignment=assignment, ended_on=TODAY())
    assignment.refresh_from_db()
    assert assignment.ended_on is None
