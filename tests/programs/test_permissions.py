"""Who may do what: every predicate of programs/permissions.py, row by row over the cast.

Each case names the action in a sentence and the members of the cast who may take it;
everyone else (other coordinators and tutors, the other student, an outsider, an anonymous
visitor) may not.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from accounts.models import RoleMembership, User
from accounts.roles import Role
from programs import models as m
from programs.design.permissions import can_create_program, can_manage_program
from programs.funds.permissions import (
    can_decide_expenditure,
    can_manage_budget,
    can_submit_expenditure,
)
from programs.partners.permissions import (
    can_change_organization_status,
    can_create_organization,
    can_edit_organization,
)
from programs.people.permissions import (
    can_manage_students,
    current_tutor_roles,
    is_own_student_record,
)
from programs.placements.permissions import can_confirm_placement, can_manage_placements
from programs.scopes import administers, coordinates
from programs.training.permissions import (
    can_acknowledge_log,
    can_approve_plan,
    can_edit_plan,
    can_record_cases,
    can_return_plan,
    can_revise_plan,
    can_sign_off_milestone,
    can_submit_plan,
    can_tutor_approve_plan,
    can_verify_case_log,
    can_write_progress_log,
)
from tests.cast import CAST_ROLES, Cast
from tests.factories import UserFactory

from .factories import (
    BudgetLineFactory,
    ExpenditureFactory,
    PlanFactory,
    ProgramFactory,
    ProgressLogFactory,
    grant,
)

pytestmark = pytest.mark.django_db

ADMINS = frozenset({"admin", "program_admin"})
TUTORS = frozenset({"tutor", "practice_tutor"})
NOBODY: frozenset[str] = frozenset()
CAST = (*CAST_ROLES, "anonymous")
UNSCOPED = object()


def people(cast: Cast, admin: User, outsider: User) -> dict[str, Any]:
    return {
        "admin": admin,
        "program_admin": cast.program_admin,
        "coordinator": cast.coordinator,
        "other_coordinator": cast.other_coordinator,
        "tutor": cast.tutor.user,
        "practice_tutor": cast.practice_tutor.user,
        "other_tutor": cast.other_tutor.user,
        "student": cast.student.user,
        "other_student": cast.other_student.user,
        "outsider": outsider,
        "anonymous": AnonymousUser(),
    }


def plan(status: str) -> Callable[[Cast, User], Any]:
    return lambda c, _: PlanFactory(student=c.student, status=status)


def milestone(c: Cast, _: User) -> m.Milestone:
    return m.Milestone.objects.create(
        student=c.student, kind="proposal_defence", title="Proposal", due_date=dt.date(2026, 3, 1)
    )


def case_log(*, at_placement: bool) -> Callable[[Cast, User], Any]:
    return lambda c, _: m.CaseLog.objects.create(
        student=c.student,
        date=dt.date(2026, 3, 10),
        modality="ct",
        procedure="Head CT",
        count=3,
        role="observed",
        placement=c.placement if at_placement else None,
        recorded_by=c.student.user,
    )


def confirmed_placement(c: Cast, _: User) -> m.Placement:
    c.placement.status = m.Placement.Status.ACTIVE
    c.placement.confirmed_at = timezone.now()
    c.placement.confirmed_by = c.coordinator
    c.placement.save()
    return c.placement


def expenditure(
    *, approver: bool = False, status: str = "submitted"
) -> Callable[[Cast, User], Any]:
    def make(c: Cast, outsider: User) -> m.Expenditure:
        line = BudgetLineFactory(
            program=c.program, holder=c.hospital, approver=outsider if approver else None
        )
        decided = {} if status == "submitted" else {"decided_at": timezone.now()}
        return ExpenditureFactory(line=line, submitted_by=c.coordinator, status=status, **decided)

    return make


@dataclass(frozen=True)
class Case:
    sentence: str
    predicate: Callable[..., bool]
    subject: Callable[[Cast, User], Any]
    allowed: frozenset[str]


CASES = [
    Case("administrators administer the program", administers, lambda c, _: c.program, ADMINS),
    Case(
        "only its coordinator coordinates an organisation",
        coordinates,
        lambda c, _: c.hospital,
        frozenset({"coordinator"}),
    ),
    Case("administrators create programs", can_create_program, lambda c, _: UNSCOPED, ADMINS),
    Case("administrators manage the program", can_manage_program, lambda c, _: c.program, ADMINS),
    Case(
        "administrators register organisations",
        can_create_organization,
        lambda c, _: UNSCOPED,
        ADMINS,
    ),
    Case(
        "the portal administrator and its coordinator edit an organisation",
        can_edit_organization,
        lambda c, _: c.hospital,
        frozenset({"admin", "coordinator"}),
    ),
    Case(
        "only the portal administrator changes an organisations status",
        can_change_organization_status,
        lambda c, _: c.hospital,
        frozenset({"admin"}),
    ),
    Case(
        "only the student edits their draft plan",
        can_edit_plan,
        plan("draft"),
        frozenset({"student"}),
    ),
    Case("nobody edits a submitted plan", can_edit_plan, plan("submitted"), NOBODY),
    Case(
        "only the student submits their draft plan",
        can_submit_plan,
        plan("draft"),
        frozenset({"student"}),
    ),
    Case(
        "only the academic tutor approves a submitted plan first",
        can_tutor_approve_plan,
        plan("submitted"),
        frozenset({"tutor"}),
    ),
    Case(
        "administrators approve a plan the tutor approved",
        can_approve_plan,
        plan("tutor_approved"),
        ADMINS,
    ),
    Case("nobody approves a draft plan", can_approve_plan, plan("draft"), NOBODY),
    Case(
        "the academic tutor returns a submitted plan",
        can_return_plan,
        plan("submitted"),
        frozenset({"tutor"}),
    ),
    Case(
        "administrators return a plan the tutor approved",
        can_return_plan,
        plan("tutor_approved"),
        ADMINS,
    ),
    Case(
        "only the student revises an approved plan",
        can_revise_plan,
        plan("approved"),
        frozenset({"student"}),
    ),
    Case("administrators manage students", can_manage_students, lambda c, _: c.program, ADMINS),
    Case("current tutors sign off a milestone", can_sign_off_milestone, milestone, TUTORS),
    Case(
        "current tutors write progress logs",
        can_write_progress_log,
        lambda c, _: c.student,
        TUTORS,
    ),
    Case(
        "only the student acknowledges a shared log",
        can_acknowledge_log,
        lambda c, _: ProgressLogFactory(student=c.student, author=c.tutor.user, shared=True),
        frozenset({"student"}),
    ),
    Case(
        "nobody acknowledges a private log",
        can_acknowledge_log,
        lambda c, _: ProgressLogFactory(student=c.student, author=c.tutor.user, shared=False),
        NOBODY,
    ),
    Case(
        "the student and their tutors record cases",
        can_record_cases,
        lambda c, _: c.student,
        TUTORS | {"student"},
    ),
    Case(
        "the placements practice tutor verifies its case log",
        can_verify_case_log,
        case_log(at_placement=True),
        frozenset({"practice_tutor"}),
    ),
    Case(
        "a current practice tutor verifies a case log outside placements",
        can_verify_case_log,
        case_log(at_placement=False),
        frozenset({"practice_tutor"}),
    ),
    Case(
        "the hosts coordinator confirms a placement",
        can_confirm_placement,
        lambda c, _: c.placement,
        frozenset({"coordinator"}),
    ),
    Case("nobody confirms a placement twice", can_confirm_placement, confirmed_placement, NOBODY),
    Case(
        "administrators manage placements",
        can_manage_placements,
        lambda c, _: c.program,
        ADMINS,
    ),
    Case("administrators manage the budget", can_manage_budget, lambda c, _: c.program, ADMINS),
    Case(
        "administrators and the holders coordinator submit expenditures",
        can_submit_expenditure,
        lambda c, _: BudgetLineFactory(program=c.program, holder=c.hospital),
        ADMINS | {"coordinator"},
    ),
    Case(
        "administrators decide on a coordinators expenditure",
        can_decide_expenditure,
        expenditure(),
        ADMINS,
    ),
    Case(
        "the lines approver decides as well",
        can_decide_expenditure,
        expenditure(approver=True),
        ADMINS | {"outsider"},
    ),
    Case(
        "nobody decides on an approved expenditure again",
        can_decide_expenditure,
        expenditure(status="approved"),
        NOBODY,
    ),
    Case(
        "nobody decides on a rejected expenditure again",
        can_decide_expenditure,
        expenditure(status="rejected"),
        NOBODY,
    ),
    Case(
        "a student record is its students own",
        is_own_student_record,
        lambda c, _: c.student,
        frozenset({"student"}),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.sentence.replace(" ", "_"))
def test_only_these_members_of_the_cast_may(
    case: Case, cast: Cast, admin: User, outsider: User
) -> None:
    subject = case.subject(cast, outsider)
    cast_of = people(cast, admin, outsider)

    def may(user: Any) -> bool:
        return case.predicate(user) if subject is UNSCOPED else case.predicate(user, subject)

    answers = {name: may(user) for name, user in cast_of.items()}
    assert answers == {name: name in case.allowed for name in CAST}


def test_current_tutor_roles_name_the_kind_of_supervision(
    cast: Cast, admin: User, outsider: User
) -> None:
    roles = {
        name: current_tutor_roles(user, cast.student)
        for name, user in people(cast, admin, outsider).items()
    }
    assert roles == {
        name: {"tutor": {"academic"}, "practice_tutor": {"practice"}}.get(name, set())
        for name in CAST
    }


@pytest.mark.parametrize("submitter", ["admin", "program_admin", "approver"])
def test_nobody_approves_their_own_expenditure(
    submitter: str, cast: Cast, admin: User, outsider: User
) -> None:
    user = {"admin": admin, "program_admin": cast.program_admin, "approver": outsider}[submitter]
    line = BudgetLineFactory(program=cast.program, holder=cast.hospital, approver=outsider)
    own = ExpenditureFactory(line=line, submitted_by=user)
    assert not can_decide_expenditure(user, own)


def test_the_administrator_of_another_program_manages_nothing_here(cast: Cast) -> None:
    elsewhere = ProgramFactory()
    stranger = UserFactory()
    grant(stranger, Role.PROGRAM_ADMIN, elsewhere)
    assert can_manage_program(stranger, elsewhere)
    assert not can_manage_program(stranger, cast.program)
    assert not can_manage_students(stranger, cast.program)
    assert not can_manage_budget(stranger, cast.program)


def test_an_expired_membership_grants_nothing(cast: Cast) -> None:
    RoleMembership.objects.filter(user=cast.program_admin).update(
        valid_until=timezone.localdate() - dt.timedelta(days=1)
    )
    expired = User.objects.get(pk=cast.program_admin.pk)
    assert not administers(expired, cast.program)
    assert not can_create_program(expired)


def test_a_deactivated_administrator_may_do_nothing(cast: Cast, admin: User) -> None:
    for user in (admin, cast.program_admin):
        user.is_active = False
        assert not administers(user, cast.program)
        assert not can_create_program(user)


def test_an_ended_assignment_ends_the_tutors_rights(cast: Cast) -> None:
    m.TutorAssignment.objects.filter(tutor=cast.tutor).update(ended_on=dt.date(2026, 1, 31))
    assert not can_write_progress_log(cast.tutor.user, cast.student)
    assert not can_tutor_approve_plan(
        cast.tutor.user, PlanFactory(student=cast.student, status="submitted")
    )
