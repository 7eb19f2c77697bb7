"""The training of one student: milestones, the plan workflow and milestone sign-off."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import User
from programs import models as m
from programs.training.services import training
from tests.cast import Cast, who
from training_portal.core.models import Notification

from .factories import (
    AssignmentFactory,
    CourseFactory,
    MilestoneTemplateFactory,
    PlanFactory,
    StudentFactory,
    TutorFactory,
)

pytestmark = pytest.mark.django_db

Status = m.TrainingPlan.Status


def in_curriculum(cast: Cast, **kwargs: Any) -> m.Course:
    course = CourseFactory(**kwargs)
    m.ProgramCourse.objects.create(
        program=cast.program, course=course, requirement="required", semester=1
    )
    return course


def draft(cast: Cast, **kwargs: Any) -> m.TrainingPlan:
    return training.draft_plan(
        user=cast.student.user,
        student=cast.student,
        career_goal=m.TrainingPlan.CareerGoal.CLINICAL,
        personal_objectives="Become independent in CT protocols.",
        **kwargs,
    )


def approved(cast: Cast, **kwargs: Any) -> m.TrainingPlan:
    plan = draft(cast, **kwargs)
    training.submit_plan(user=cast.student.user, plan=plan)
    training.tutor_approve_plan(user=cast.tutor.user, plan=plan)
    return training.approve_plan(user=cast.program_admin, plan=plan)


def steps(plan: m.TrainingPlan) -> list[tuple[str, str, Any]]:
    return [(t.from_status, t.to_status, t.by) for t in plan.transitions.all()]


def titles(user: Any) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("title", flat=True))


# ---- Milestones ----------------------------------------------------------------------------


def test_milestones_are_instantiated_from_the_programs_templates_with_real_due_dates(
    cast: Cast,
) -> None:
    MilestoneTemplateFactory(program=cast.program, title="Proposal defence", due_offset_days=180)
    MilestoneTemplateFactory(program=cast.program, title="Defence", due_offset_days=700)
    MilestoneTemplateFactory(title="Another program's milestone")

    assert training.instantiate_milestones(student=cast.student) == 2

    assert [(ms.title, ms.due_date) for ms in cast.student.milestones.all()] == [
        ("Proposal defence", cast.student.enrolled_on + dt.timedelta(days=180)),
        ("Defence", cast.student.enrolled_on + dt.timedelta(days=700)),
    ]


def test_instantiating_milestones_again_adds_only_the_templates_added_since(cast: Cast) -> None:
    MilestoneTemplateFactory(program=cast.program, title="Proposal defence")
    training.instantiate_milestones(student=cast.student)
    assert training.instantiate_milestones(student=cast.student) == 0

    MilestoneTemplateFactory(program=cast.program, title="Mid-term review", due_offset_days=365)
    assert training.instantiate_milestones(student=cast.student) == 1
    assert cast.student.milestones.count() == 2


# ---- Drafting ------------------------------------------------------------------------------


def test_the_student_drafts_version_1_with_courses_and_case_targets(cast: Cast) -> None:
    course = in_curriculum(cast)

    plan = draft(cast, courses=[course], case_targets={"ct": 200, "mr": 50})

    assert (plan.version, plan.status) == (1, Status.DRAFT)
    assert list(plan.courses.all()) == [course]
    assert dict(plan.case_targets.values_list("modality", "target")) == {"ct": 200, "mr": 50}
    assert steps(plan) == [("", Status.DRAFT, cast.student.user)]


@pytest.mark.parametrize(
    "name", ["tutor", "other_student", "coordinator", "program_admin", "outsider"]
)
def test_nobody_but_the_student_drafts_their_plan(cast: Cast, outsider: User, name: str) -> None:
    with pytest.raises(PermissionDenied):
        training.draft_plan(
            user=who(cast, name, outsider),
            student=cast.student,
            career_goal="clinical",
            personal_objectives="Objectives",
        )
    assert not m.TrainingPlan.objects.exists()


def test_a_second_open_version_is_refused(cast: Cast) -> None:
    draft(cast)

    with pytest.raises(ValidationError) as error:
        draft(cast)

    assert error.value.messages == [
        "Version 1 of the plan is still in progress; continue with that one."
    ]


def test_courses_outside_the_programs_curriculum_are_refused(cast: Cast) -> None:
    stray = CourseFactory(code="X999")

    with pytest.raises(ValidationError) as error:
        draft(cast, courses=[in_curriculum(cast), stray])

    assert error.value.message_dict["courses"] == [
        f"Not in the curriculum of {cast.program.code}: X999."
    ]


def test_an_unknown_career_goal_missing_objectives_and_bad_targets_are_field_errors(
    cast: Cast,
) -> None:
    with pytest.raises(ValidationError) as error:
        training.draft_plan(
            user=cast.student.user,
            student=cast.student,
            career_goal="astronaut",
            personal_objectives="",
            case_targets={"xray": 10, "ct": 0},
        )

    assert set(error.value.message_dict) == {"career_goal", "personal_objectives", "case_targets"}
    assert error.value.message_dict["case_targets"] == [
        "“xray” is not a modality.",
        "The target for CT must be a whole number from 1 to 100000.",
    ]


# ---- Updating ------------------------------------------------------------------------------


def test_the_student_updates_their_draft(cast: Cast) -> None:
    plan = draft(cast, case_targets={"ct": 10})
    course = in_curriculum(cast)

    training.update_plan(
        user=cast.student.user,
        plan=plan,
        career_goal="research",
        courses=[course.pk],
        case_targets={"mr": 30},
    )

    plan.refresh_from_db()
    assert plan.career_goal == "research"
    assert list(plan.courses.all()) == [course]
    assert dict(plan.case_targets.values_list("modality", "target")) == {"mr": 30}


def test_updating_with_a_course_outside_the_curriculum_is_a_field_error(cast: Cast) -> None:
    plan = draft(cast)

    with pytest.raises(ValidationError) as error:
        training.update_plan(user=cast.student.user, plan=plan, courses=[CourseFactory()])

    assert list(error.value.message_dict) == ["courses"]


@pytest.mark.parametrize("name", ["tutor", "other_student", "program_admin", "outsider"])
def test_nobody_but_the_student_updates_the_draft(cast: Cast, outsider: User, name: str) -> None:
    plan = draft(cast)
    with pytest.raises(PermissionDenied):
        training.update_plan(user=who(cast, name, outsider), plan=plan, career_goal="research")


def test_a_submitted_plan_can_no_longer_be_updated(cast: Cast) -> None:
    plan = draft(cast)
    training.submit_plan(user=cast.student.user, plan=plan)

    with pytest.raises(PermissionDenied):
        training.update_plan(user=cast.student.user, plan=plan, career_goal="research")


# ---- The workflow --------------------------------------------------------------------------


def test_each_step_is_recorded_and_the_next_actor_is_notified(cast: Cast) -> None:
    plan = draft(cast)

    training.submit_plan(user=cast.student.user, plan=plan)
    assert plan.status == Status.SUBMITTED
    assert titles(cast.tutor.user) == ["Stan Student submitted version 1 of their training plan"]
    assert titles(cast.practice_tutor.user) == []
    assert titles(cast.program_admin) == []

    training.tutor_approve_plan(user=cast.tutor.user, plan=plan)
    assert plan.status == Status.TUTOR_APPROVED
    assert titles(cast.program_admin) == [
        "Training plan of Stan Student (version 1) awaits your approval"
    ]

    training.approve_plan(user=cast.program_admin, plan=plan)
    plan.refresh_from_db()
    assert plan.status == Status.APPROVED
    assert titles(cast.student.user) == ["Your training plan (version 1) is approved"]

    assert steps(plan) == [
        ("", Status.DRAFT, cast.student.user),
        (Status.DRAFT, Status.SUBMITTED, cast.student.user),
        (Status.SUBMITTED, Status.TUTOR_APPROVED, cast.tutor.user),
        (Status.TUTOR_APPROVED, Status.APPROVED, cast.program_admin),
    ]
    assert not Notification.objects.filter(recipient__in=[cast.coordinator]).exists()


@pytest.mark.parametrize("name", ["tutor", "other_student", "outsider"])
def test_nobody_but_the_student_submits_the_plan(cast: Cast, outsider: User, name: str) -> None:
    plan = draft(cast)
    with pytest.raises(PermissionDenied):
        training.submit_plan(user=who(cast, name, outsider), plan=plan)
    assert m.TrainingPlan.objects.get().status == Status.DRAFT


@pytest.mark.parametrize(
    "name", ["student", "practice_tutor", "other_tutor", "coordinator", "program_admin", "outsider"]
)
def test_only_the_current_academic_tutor_approves_as_tutor(
    cast: Cast, outsider: User, name: str
) -> None:
    plan = draft(cast)
    training.submit_plan(user=cast.student.user, plan=plan)
    with pytest.raises(PermissionDenied):
        training.tutor_approve_plan(user=who(cast, name, outsider), plan=plan)


def test_a_tutor_whose_assignment_ended_no_longer_approves(cast: Cast) -> None:
    plan = draft(cast)
    training.submit_plan(user=cast.student.user, plan=plan)
    m.TutorAssignment.objects.filter(tutor=cast.tutor).update(ended_on=timezone.localdate())

    with pytest.raises(PermissionDenied):
        training.tutor_approve_plan(user=cast.tutor.user, plan=plan)


@pytest.mark.parametrize("name", ["student", "tutor", "coordinator", "outsider"])
def test_only_an_administrator_of_the_program_gives_the_final_approval(
    cast: Cast, outsider: User, name: str
) -> None:
    plan = draft(cast)
    training.submit_plan(user=cast.student.user, plan=plan)
    training.tutor_approve_plan(user=cast.tutor.user, plan=plan)
    with pytest.raises(PermissionDenied):
        training.approve_plan(user=who(cast, name, outsider), plan=plan)


def test_the_program_administrator_cannot_skip_the_tutors_approval(cast: Cast) -> None:
    plan = draft(cast)
    training.submit_plan(user=cast.student.user, plan=plan)
    with pytest.raises(PermissionDenied):
        training.approve_plan(user=cast.program_admin, plan=plan)


def test_the_tutor_returns_the_plan_with_a_comment_and_the_student_is_told(cast: Cast) -> None:
    plan = draft(cast)
    training.submit_plan(user=cast.student.user, plan=plan)

    training.return_plan(user=cast.tutor.user, plan=plan, comment="Add an MR target.")

    assert plan.status == Status.DRAFT
    last = plan.transitions.last()
    assert last is not None
    assert (last.from_status, last.to_status, last.by, last.comment) == (
        Status.SUBMITTED,
        Status.DRAFT,
        cast.tutor.user,
        "Add an MR target.",
    )
    note = Notification.objects.get(recipient=cast.student.user)
    assert note.title == "Your training plan (version 1) was returned for changes"
    assert "Add an MR target." in note.body
    # Back in draft, the student can change and submit it again.
    training.update_plan(user=cast.student.user, plan=plan, case_targets={"mr": 20})
    training.submit_plan(user=cast.student.user, plan=plan)


def test_the_program_administrator_may_return_a_tutor_approved_plan(cast: Cast) -> None:
    plan = draft(cast)
    training.submit_plan(user=cast.student.user, plan=plan)
    training.tutor_approve_plan(user=cast.tutor.user, plan=plan)

    training.return_plan(user=cast.program_admin, plan=plan, comment="No I&E course.")

    assert plan.status == Status.DRAFT


def test_returning_a_plan_needs_a_comment(cast: Cast) -> None:
    plan = draft(cast)
    training.submit_plan(user=cast.student.user, plan=plan)

    with pytest.raises(ValidationError) as error:
        training.return_plan(user=cast.tutor.user, plan=plan, comment="  ")

    assert error.value.message_dict == {"comment": ["Say what the student should change."]}
    assert m.TrainingPlan.objects.get().status == Status.SUBMITTED


@pytest.mark.parametrize("name", ["student", "other_tutor", "coordinator", "outsider"])
def test_nobody_else_returns_a_plan(cast: Cast, outsider: User, name: str) -> None:
    plan = draft(cast)
    training.submit_plan(user=cast.student.user, plan=plan)
    with pytest.raises(PermissionDenied):
        training.return_plan(user=who(cast, name, outsider), plan=plan, comment="No.")


# ---- Versions ------------------------------------------------------------------------------


def test_the_students_next_change_after_approval_makes_version_2_and_version_1_stays_readable(
    cast: Cast,
) -> None:
    course = in_curriculum(cast)
    v1 = approved(cast, courses=[course], case_targets={"ct": 100})

    v2 = training.revise_plan(user=cast.student.user, plan=v1)

    v1.refresh_from_db()
    assert (v1.version, v1.status) == (1, Status.APPROVED)
    assert (v2.version, v2.status) == (2, Status.DRAFT)
    assert (v2.career_goal, v2.personal_objectives) == (v1.career_goal, v1.personal_objectives)
    assert list(v2.courses.all()) == [course]
    assert dict(v2.case_targets.values_list("modality", "target")) == {"ct": 100}
    assert steps(v2) == [("", Status.DRAFT, cast.student.user)]
    assert set(m.TrainingPlan.objects.visible_to(cast.student.user)) == {v1, v2}


def test_approving_version_2_supersedes_version_1(cast: Cast) -> None:
    v1 = approved(cast)
    v2 = training.revise_plan(user=cast.student.user, plan=v1)
    training.update_plan(user=cast.student.user, plan=v2, career_goal="industry")
    training.submit_plan(user=cast.student.user, plan=v2)
    training.tutor_approve_plan(user=cast.tutor.user, plan=v2)

    training.approve_plan(user=cast.program_admin, plan=v2)

    v1.refresh_from_db()
    assert (v1.status, v2.status) == (Status.SUPERSEDED, Status.APPROVED)
    assert steps(v1)[-1] == (Status.APPROVED, Status.SUPERSEDED, cast.program_admin)
    assert list(m.TrainingPlan.objects.current()) == [v2]


def test_a_revision_is_refused_while_another_version_is_in_progress(cast: Cast) -> None:
    v1 = approved(cast)
    training.revise_plan(user=cast.student.user, plan=v1)

    with pytest.raises(ValidationError) as error:
        training.revise_plan(user=cast.student.user, plan=v1)

    assert error.value.messages == [
        "Version 2 of the plan is still in progress; continue with that one."
    ]


@pytest.mark.parametrize("name", ["tutor", "other_student", "program_admin", "outsider"])
def test_nobody_but_the_student_revises_an_approved_plan(
    cast: Cast, outsider: User, name: str
) -> None:
    v1 = approved(cast)
    with pytest.raises(PermissionDenied):
        training.revise_plan(user=who(cast, name, outsider), plan=v1)


def test_a_plan_that_is_not_approved_cannot_be_revised(cast: Cast) -> None:
    with pytest.raises(PermissionDenied):
        training.revise_plan(user=cast.student.user, plan=draft(cast))


def test_the_academic_tutors_of_a_student_are_only_the_current_academic_ones(cast: Cast) -> None:
    student = StudentFactory(program=cast.program)
    former = TutorFactory()
    AssignmentFactory(student=student, tutor=former, ended_on=dt.date(2025, 12, 31))
    AssignmentFactory(student=student, tutor=cast.tutor)
    AssignmentFactory(student=student, tutor=cast.practice_tutor)
    PlanFactory(student=student)

    assert list(training.academic_tutor_users(student)) == [cast.tutor.user]


def test_the_plan_e_mails_leave_after_commit(
    cast: Cast, celery_eager: None, django_capture_on_commit_callbacks: Any, mailoutbox: Any
) -> None:
    plan = draft(cast)
    with django_capture_on_commit_callbacks(execute=True):
        training.submit_plan(user=cast.student.user, plan=plan)

    assert [(mail.to, mail.subject) for mail in mailoutbox] == [
        (["tom@example.org"], "Stan Student submitted version 1 of their training plan")
    ]


# ---- Milestone sign-off --------------------------------------------------------------------


@pytest.fixture
def milestone(cast: Cast) -> m.Milestone:
    MilestoneTemplateFactory(program=cast.program, title="Proposal defence")
    training.instantiate_milestones(student=cast.student)
    return cast.student.milestones.get()


@pytest.mark.parametrize("name", ["tutor", "practice_tutor"])
def test_a_current_tutor_signs_off_a_milestone(
    cast: Cast, milestone: m.Milestone, outsider: User, name: str
) -> None:
    user = who(cast, name, outsider)
    day = timezone.localdate() - dt.timedelta(days=3)

    training.sign_off_milestone(
        user=user, milestone=milestone, completed_on=day, evidence="Minutes"
    )

    milestone.refresh_from_db()
    assert (milestone.completed_on, milestone.signed_off_by, milestone.evidence) == (
        day,
        user,
        "Minutes",
    )
    assert milestone.signed_off_at is not None


@pytest.mark.parametrize("name", ["student", "other_tutor", "coordinator", "outsider"])
def test_nobody_else_signs_off_a_milestone(
    cast: Cast, milestone: m.Milestone, outsider: User, name: str
) -> None:
    with pytest.raises(PermissionDenied):
        training.sign_off_milestone(
            user=who(cast, name, outsider), milestone=milestone, completed_on=timezone.localdate()
        )


def test_a_milestone_cannot_be_completed_in_the_future(cast: Cast, milestone: m.Milestone) -> None:
    with pytest.raises(ValidationError) as error:
        training.sign_off_milestone(
            user=cast.tutor.user,
            milestone=milestone,
            completed_on=timezone.localdate() + dt.timedelta(days=1),
        )
    assert error.value.message_dict == {
        "completed_on": ["The completion date cannot be in the future."]
    }


def test_a_milestone_cannot_be_completed_before_enrolment(
    cast: Cast, milestone: m.Milestone
) -> None:
    with pytest.raises(ValidationError) as error:
        training.sign_off_milestone(
            user=cast.tutor.user, milestone=milestone, completed_on=dt.date(2025, 8, 31)
        )
    assert error.value.message_dict == {
        "completed_on": ["The completion date cannot be before enrolment (1 September 2025)."]
    }


def test_a_milestone_is_signed_off_only_once(cast: Cast, milestone: m.Milestone) -> None:
    today = timezone.localdate()
    training.sign_off_milestone(user=cast.tutor.user, milestone=milestone, completed_on=today)

    with pytest.raises(ValidationError) as error:
        training.sign_off_milestone(
            user=cast.practice_tutor.user, milestone=milestone, completed_on=today
        )

    assert error.value.messages[0].startswith("This milestone was already signed off on ")
    milestone.refresh_from_db()
    assert milestone.signed_off_by == cast.tutor.user
