"""Who sees what: the visible_to rules for each member of the cast."""

from __future__ import annotations

import pytest

from accounts.models import User
from programs import models as m
from tests.cast import Cast

from .factories import BudgetLineFactory, ProgressLogFactory

pytestmark = pytest.mark.django_db


def visible(model, user):  # type: ignore[no-untyped-def]
    return set(model.objects.visible_to(user))


def test_a_student_sees_only_their_own_student_record_and_program(cast: Cast) -> None:
    user = cast.student.user
    assert visible(m.Student, user) == {cast.student}
    assert visible(m.Program, user) == {cast.program}


def test_a_tutor_sees_only_their_students(cast: Cast) -> None:
    assert visible(m.Student, cast.tutor.user) == {cast.student}
    assert visible(m.Student, cast.other_tutor.user) == {cast.other_student}


def test_a_coordinator_sees_students_placed_with_their_organisation_only(cast: Cast) -> None:
    assert visible(m.Student, cast.coordinator) == {cast.student}
    assert visible(m.Student, cast.other_coordinator) == set()
    assert visible(m.Placement, cast.coordinator) == {cast.placement}
    assert visible(m.Placement, cast.other_coordinator) == set()


def test_a_coordinator_does_not_see_plans_or_logs(cast: Cast) -> None:
    ProgressLogFactory(student=cast.student, author=cast.tutor.user)
    assert visible(m.ProgressLog, cast.coordinator) == set()
    assert visible(m.TrainingPlan, cast.coordinator) == set()


def test_the_program_administrator_sees_everything_of_the_program(cast: Cast) -> None:
    assert visible(m.Student, cast.program_admin) == {cast.student, cast.other_student}
    assert visible(m.Placement, cast.program_admin) == {cast.placement}


def test_an_outsider_sees_nothing(cast: Cast, outsider: User) -> None:
    for model in (m.Program, m.Student, m.Placement, m.TutorProfile, m.ProgressLog, m.BudgetLine):
        assert visible(model, outsider) == set(), model


def test_private_logs_are_hidden_from_the_student(cast: Cast) -> None:
    shared = ProgressLogFactory(student=cast.student, author=cast.tutor.user, shared=True)
    private = ProgressLogFactory(student=cast.student, author=cast.tutor.user, shared=False)
    assert visible(m.ProgressLog, cast.student.user) == {shared}
    assert visible(m.ProgressLog, cast.tutor.user) == {shared, private}
    assert visible(m.ProgressLog, cast.other_student.user) == set()


def test_fund_lines_are_for_administrators_and_the_holders_coordinators(cast: Cast) -> None:
    line = BudgetLineFactory(program=cast.program, holder=cast.hospital)
    assert visible(m.BudgetLine, cast.program_admin) == {line}
    assert visible(m.BudgetLine, cast.coordinator) == {line}
    assert visible(m.BudgetLine, cast.other_coordinator) == set()
    assert visible(m.BudgetLine, cast.tutor.user) == set()
    assert visible(m.BudgetLine, cast.student.user) == set()
