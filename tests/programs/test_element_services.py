"""The program's elements after they are made: edit, delete or retire, reinstate, reorder,
and the program's lifecycle (draft -> active -> closed, reopened by a portal administrator)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import User
from accounts.roles import Role
from programs import models as m
from programs.design import services as elements
from programs.design import workflow
from programs.partners.services import partners
from programs.people.services import people
from programs.placements import services as placements
from programs.projects import services as projects
from programs.training.services import training
from tests.cast import Cast
from tests.factories import UserFactory

from .factories import CourseFactory, OrganizationFactory, PlanFactory, ProgramFactory, grant

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 1)


def objective(cast: Cast, title: str = "Reads images", **extra: Any) -> m.TrainingObjective:
    return partners.add_objective(
        user=cast.program_admin,
        program=cast.program,
        title=title,
        description="Measured by an exam.",
        **extra,
    )


def stage(cast: Cast, title: str = "Coursework") -> m.Stage:
    return partners.add_stage(
        user=cast.program_admin,
        program=cast.program,
        kind=m.Stage.Kind.COURSEWORK,
        title=title,
        expected_months=6,
    )


def template(cast: Cast, title: str = "Proposal", on: m.Stage | None = None) -> Any:
    return partners.add_milestone_template(
        user=cast.program_admin,
        program=cast.program,
        kind=m.MilestoneTemplate.Kind.OTHER,
        title=title,
        due_offset_days=90,
        stage=on,
    )


def entry(cast: Cast, course: m.Course | None = None) -> m.ProgramCourse:
    return partners.add_course_to_curriculum(
        user=cast.program_admin,
        program=cast.program,
        course=course or CourseFactory(delivering_organization=cast.program.lead_university),
        requirement="required",
        semester=1,
    )


def field_errors(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict


# ---- Editing -----------------------------------------------------------------------------------


def test_program_admin_corrects_an_objective(cast: Cast) -> None:
    o = objective(cast, "Raeds images")
    elements.update_objective(
        user=cast.program_admin, objective=o, title="Reads images", description="By an exam."
    )
    o.refresh_from_db()
    assert (o.title, o.description) == ("Reads images", "By an exam.")


def test_an_objective_title_is_unique_in_its_program(cast: Cast) -> None:
    objective(cast, "Reads images")
    other = objective(cast, "Writes reports")
    with pytest.raises(ValidationError) as exc:
        elements.update_objective(
            user=cast.program_admin, objective=other, title="Reads images", description="x"
        )
    assert field_errors(exc) == {
        "title": ["This program already has an objective with this title."]
    }


def test_adding_the_same_objective_twice_keeps_one(cast: Cast) -> None:
    objective(cast, "Reads images")
    with pytest.raises(ValidationError) as exc:
        objective(cast, "Reads images")
    assert "title" in field_errors(exc)
    assert cast.program.objectives.count() == 1


def test_adding_the_same_stage_twice_keeps_one(cast: Cast) -> None:
    stage(cast, "Coursework")
    with pytest.raises(ValidationError) as exc:
        stage(cast, "Coursework")
    assert field_errors(exc) == {"title": ["This program already has a stage with this title."]}
    assert cast.program.stages.count() == 1


def test_a_stage_is_edited(cast: Cast) -> None:
    s = stage(cast)
    elements.update_stage(
        user=cast.program_admin,
        stage=s,
        kind=m.Stage.Kind.THESIS_RESEARCH,
        title="Thesis",
        expected_months=10,
    )
    s.refresh_from_db()
    assert (s.kind, s.title, s.expected_months) == ("thesis_research", "Thesis", 10)


def test_a_milestone_cannot_move_to_another_programs_stage(cast: Cast) -> None:
    t = template(cast)
    elsewhere = m.Stage.objects.create(
        program=ProgramFactory(), order=1, kind="other", title="Elsewhere", expected_months=1
    )
    with pytest.raises(ValidationError) as exc:
        elements.update_milestone_template(
            user=cast.program_admin,
            template=t,
            kind=t.kind,
            title=t.title,
            due_offset_days=120,
            stage=elsewhere,
        )
    assert field_errors(exc) == {"stage": ["The stage belongs to another program."]}


def test_a_curriculum_entry_changes_semester_and_requirement(cast: Cast) -> None:
    e = entry(cast)
    elements.update_curriculum_entry(
        user=cast.program_admin, entry=e, requirement="elective", semester=3
    )
    e.refresh_from_db()
    assert (e.requirement, e.semester) == ("elective", 3)


def test_a_course_taught_only_here_is_edited_by_the_program_admin(cast: Cast) -> None:
    course = entry(cast).course
    elements.update_course(
        user=cast.program_admin, course=course, title="Imaging physics", credits=Decimal("3.5")
    )
    course.refresh_from_db()
    assert (course.title, course.credits) == ("Imaging physics", Decimal("3.5"))


def test_a_shared_course_needs_an_administrator_of_every_program_teaching_it(
    cast: Cast, admin: User
) -> None:
    course = entry(cast).course
    other = ProgramFactory()
    m.ProgramCourse.objects.create(program=other, course=course, requirement="required", semester=1)
    with pytest.raises(PermissionDenied):
        elements.update_course(user=cast.program_admin, course=course, title="Changed")
    grant(cast.program_admin, Role.PROGRAM_ADMIN, other)
    cast.program_admin.__dict__.pop("current_roles", None)
    elements.update_course(user=cast.program_admin, course=course, title="Changed")
    elements.update_course(user=admin, course=course, title="Changed by the portal")
    course.refresh_from_db()
    assert course.title == "Changed by the portal"


def test_course_credits_out_of_range_are_refused(cast: Cast) -> None:
    course = entry(cast).course
    with pytest.raises(ValidationError) as exc:
        elements.update_course(user=cast.program_admin, course=course, credits=Decimal("25"))
    assert field_errors(exc) == {"credits": ["Credits must be more than 0 and at most 20."]}


def test_a_partner_agreement_is_edited_with_its_responsibilities(cast: Cast) -> None:
    partner = partners.add_partner(
        user=cast.program_admin,
        program=cast.program,
        organization=cast.other_hospital,
        agreement_start=dt.date(2026, 1, 1),
        responsibilities=["teaching"],
    )
    elements.update_partner(
        user=cast.program_admin,
        partner=partner,
        agreement_start=dt.date(2026, 2, 1),
        agreement_end=dt.date(2028, 1, 31),
        places_offered=6,
        responsibilities=["clinical_practice"],
    )
    partner.refresh_from_db()
    assert (partner.agreement_start, partner.places_offered) == (dt.date(2026, 2, 1), 6)
    assert [r.responsibility for r in partner.responsibilities.all()] == ["clinical_practice"]


def test_a_partner_edit_reports_every_problem_and_saves_nothing(cast: Cast) -> None:
    partner = partners.add_partner(
        user=cast.program_admin,
        program=cast.program,
        organization=cast.other_hospital,
        agreement_start=dt.date(2026, 1, 1),
        responsibilities=["teaching"],
    )
    with pytest.raises(ValidationError) as exc:
        elements.update_partner(
            user=cast.program_admin,
            partner=partner,
            agreement_start=dt.date(2026, 2, 1),
            agreement_end=dt.date(2025, 1, 31),
            places_offered=6,
            responsibilities=["clinical_practice", "juggling"],
        )
    assert set(field_errors(exc)) == {"agreement_end", "responsibilities"}
    partner.refresh_from_db()
    assert partner.agreement_start == dt.date(2026, 1, 1)
    assert [r.responsibility for r in partner.responsibilities.all()] == ["teaching"]


@pytest.mark.parametrize("name", ["tutor", "student", "coordinator", "outsider"])
def test_only_program_administrators_edit_elements(cast: Cast, name: str) -> None:
    o = objective(cast)
    user = {
        "tutor": cast.tutor.user,
        "student": cast.student.user,
        "coordinator": cast.coordinator,
        "outsider": UserFactory(),
    }[name]
    with pytest.raises(PermissionDenied):
        elements.update_objective(user=user, objective=o, title="Hijacked", description="x")
    with pytest.raises(PermissionDenied):
        elements.remove_element(user=user, element=o)
    o.refresh_from_db()
    assert o.title == "Reads images"


# ---- Delete or retire ------------------------------------------------------------------------


def test_an_unused_objective_is_deleted(cast: Cast) -> None:
    o = objective(cast)
    assert elements.removal_of(o).action == "delete"
    removal = elements.remove_element(user=cast.program_admin, element=o)
    assert removal.action == "delete"
    assert not m.TrainingObjective.objects.filter(pk=o.pk).exists()


def test_a_milestone_students_have_is_retired_and_given_to_nobody_new(cast: Cast) -> None:
    t = template(cast)
    training.instantiate_milestones(student=cast.student)
    removal = elements.removal_of(t)
    assert removal.action == "retire"
    assert removal.reasons == ["1 student's milestone was made from it."]
    elements.remove_element(user=cast.program_admin, element=t)
    t.refresh_from_db()
    assert t.retired_at is not None
    assert cast.student.milestones.filter(template=t).exists()
    training.instantiate_milestones(student=cast.other_student)
    assert not cast.other_student.milestones.filter(template=t).exists()


def test_a_course_in_a_plan_is_retired_not_deleted(cast: Cast) -> None:
    e = entry(cast)
    plan = PlanFactory(student=cast.student)
    plan.courses.add(e.course)
    assert elements.remove_element(user=cast.program_admin, element=e).action == "retire"
    e.refresh_from_db()
    assert e.retired_at is not None


def test_a_stage_with_milestones_is_retired(cast: Cast) -> None:
    s = stage(cast)
    template(cast, on=s)
    assert elements.removal_of(s).reasons == ["1 milestone is placed in this stage."]


def test_a_partner_hosting_placements_is_retired_and_reinstated(cast: Cast) -> None:
    partner = partners.add_partner(
        user=cast.program_admin,
        program=cast.program,
        organization=cast.hospital,
        agreement_start=dt.date(2025, 1, 1),
    )
    removal = elements.remove_element(user=cast.program_admin, element=partner)
    assert removal.action == "retire"
    assert removal.reasons == ["1 placement is hosted by this partner."]
    partner.refresh_from_db()
    assert partner.is_active is False
    elements.reinstate_element(user=cast.program_admin, element=partner)
    partner.refresh_from_db()
    assert partner.is_active is True


def test_an_unused_partner_is_deleted(cast: Cast) -> None:
    partner = partners.add_partner(
        user=cast.program_admin,
        program=cast.program,
        organization=cast.other_hospital,
        agreement_start=dt.date(2025, 1, 1),
        responsibilities=["teaching"],
    )
    assert elements.remove_element(user=cast.program_admin, element=partner).action == "delete"
    assert not m.ProgramPartner.objects.filter(pk=partner.pk).exists()


def test_a_retired_element_is_not_retired_twice_and_an_active_one_not_reinstated(
    cast: Cast,
) -> None:
    t = template(cast)
    training.instantiate_milestones(student=cast.student)
    elements.remove_element(user=cast.program_admin, element=t)
    with pytest.raises(ValidationError, match="already retired"):
        elements.remove_element(user=cast.program_admin, element=t)
    elements.reinstate_element(user=cast.program_admin, element=t)
    with pytest.raises(ValidationError, match="not retired"):
        elements.reinstate_element(user=cast.program_admin, element=t)


# ---- Reordering -----------------------------------------------------------------------------


def test_objectives_swap_places(cast: Cast) -> None:
    first, _second, third = (objective(cast, f"Objective {n}") for n in range(3))
    elements.move_element(user=cast.program_admin, element=third, direction="up")
    titles = list(cast.program.objectives.order_by("order").values_list("title", flat=True))
    assert titles == ["Objective 0", "Objective 2", "Objective 1"]
    elements.move_element(user=cast.program_admin, element=first, direction="down")
    titles = list(cast.program.objectives.order_by("order").values_list("title", flat=True))
    assert titles == ["Objective 2", "Objective 0", "Objective 1"]


def test_a_move_skips_retired_stages(cast: Cast) -> None:
    _first, middle, last = (stage(cast, f"Stage {n}") for n in range(3))
    template(cast, on=middle)
    elements.remove_element(user=cast.program_admin, element=middle)
    elements.move_element(user=cast.program_admin, element=last, direction="up")
    in_use = m.Stage.objects.filter(program=cast.program, retired_at__isnull=True)
    assert list(in_use.order_by("order").values_list("title", flat=True)) == [
        "Stage 2",
        "Stage 0",
    ]


def test_the_first_cannot_move_up_nor_the_last_down(cast: Cast) -> None:
    first, last = objective(cast, "A"), objective(cast, "B")
    with pytest.raises(ValidationError) as exc:
        elements.move_element(user=cast.program_admin, element=first, direction="up")
    assert field_errors(exc) == {"direction": ["This item is already first."]}
    with pytest.raises(ValidationError) as exc:
        elements.move_element(user=cast.program_admin, element=last, direction="down")
    assert field_errors(exc) == {"direction": ["This item is already last."]}
    with pytest.raises(ValidationError):
        elements.move_element(user=cast.program_admin, element=last, direction="sideways")


# ---- The program and its lifecycle -------------------------------------------------------------


def test_the_program_is_edited_with_its_dates_checked(cast: Cast) -> None:
    elements.update_program(user=cast.program_admin, program=cast.program, title="Imaging")
    cast.program.refresh_from_db()
    assert cast.program.title == "Imaging"
    with pytest.raises(ValidationError) as exc:
        elements.update_program(
            user=cast.program_admin, program=cast.program, end_date=dt.date(2000, 1, 1)
        )
    assert field_errors(exc) == {"end_date": ["The program cannot end before it starts."]}


def draft_with(cast: Cast, *, ready: bool) -> m.Program:
    program = ProgramFactory(status=m.Program.Status.DRAFT)
    grant(cast.program_admin, Role.PROGRAM_ADMIN, program)
    cast.program_admin.__dict__.pop("current_roles", None)
    if ready:
        m.TrainingObjective.objects.create(program=program, order=1, title="O", description="D")
        m.Stage.objects.create(program=program, order=1, kind="other", title="S", expected_months=1)
        m.ProgramCourse.objects.create(
            program=program, course=CourseFactory(), requirement="required", semester=1
        )
    return program


def test_a_program_without_elements_is_not_activated(cast: Cast) -> None:
    program = draft_with(cast, ready=False)
    with pytest.raises(ValidationError) as exc:
        elements.transition_program(user=cast.program_admin, program=program, name="activate")
    assert field_errors(exc)["transition"] == [
        "Before it is activated, the program needs at least one training objective, at least "
        "one stage, at least one course in the curriculum."
    ]
    program.refresh_from_db()
    assert program.status == m.Program.Status.DRAFT


REASON = "Closed by mistake before the autumn intake."

# (from status, step, who) -> resulting status, or the exception raised
LIFECYCLE = [
    ("draft", "activate", "program_admin", "active"),
    ("draft", "activate", "admin", "active"),
    ("draft", "activate", "tutor", PermissionDenied),
    ("draft", "close", "program_admin", ValidationError),
    ("draft", "reopen", "admin", ValidationError),
    ("active", "close", "program_admin", "closed"),
    ("active", "close", "student", PermissionDenied),
    ("active", "activate", "program_admin", ValidationError),
    ("closed", "reopen", "admin", "active"),
    ("closed", "reopen", "program_admin", PermissionDenied),
    ("closed", "close", "admin", ValidationError),
    ("active", "explode", "admin", ValidationError),
]


@pytest.mark.parametrize(("start", "step", "name", "result"), LIFECYCLE)
def test_program_lifecycle(
    cast: Cast, admin: User, start: str, step: str, name: str, result: Any
) -> None:
    program = draft_with(cast, ready=True)
    m.Program.objects.filter(pk=program.pk).update(status=start)
    program.refresh_from_db()
    grant(cast.tutor.user, Role.ACADEMIC_TUTOR, program.lead_university)
    user = {
        "program_admin": cast.program_admin,
        "admin": admin,
        "tutor": cast.tutor.user,
        "student": cast.student.user,
    }[name]
    take = {"user": user, "program": program, "name": step, "reason": REASON, "confirmed": True}
    if isinstance(result, str):
        elements.transition_program(**take)
        program.refresh_from_db()
        assert program.status == result
    else:
        with pytest.raises(result):
            elements.transition_program(**take)
        program.refresh_from_db()
        assert program.status == start


def test_the_buttons_offered_follow_the_table(cast: Cast, admin: User) -> None:
    program = draft_with(cast, ready=True)
    assert [t.name for t in workflow.allowed_transitions(cast.program_admin, program)] == [
        "activate"
    ]
    program.status = m.Program.Status.CLOSED
    assert workflow.allowed_transitions(cast.program_admin, program) == []
    assert [t.name for t in workflow.allowed_transitions(admin, program)] == ["reopen"]
    assert workflow.allowed_transitions(cast.tutor.user, program) == []


def close(cast: Cast) -> None:
    elements.transition_program(
        user=cast.program_admin, program=cast.program, name="close", confirmed=True
    )


def test_a_closed_programs_elements_are_read_only(cast: Cast) -> None:
    o = objective(cast)
    close(cast)
    refused = "The program is closed; its objectives, stages, curriculum and partners can no"
    with pytest.raises(ValidationError, match=refused):
        elements.update_objective(user=cast.program_admin, objective=o, title="X", description="Y")
    with pytest.raises(ValidationError, match=refused):
        objective(cast, "Another")
    with pytest.raises(ValidationError, match=refused):
        elements.remove_element(user=cast.program_admin, element=o)


def test_a_closed_program_takes_no_students_placements_or_projects(cast: Cast) -> None:
    close(cast)
    newcomer = UserFactory()
    with pytest.raises(ValidationError) as exc:
        people.enrol_student(
            user=cast.program_admin,
            student_user=newcomer,
            program=cast.program,
            student_number="S1",
            cohort=2026,
            enrolled_on=TODAY,
        )
    assert field_errors(exc)["program"] == ["The program is closed; it takes no new students."]
    with pytest.raises(ValidationError, match="it takes no new placements"):
        placements.create_placement(
            user=cast.program_admin,
            student=cast.student,
            host=cast.hospital,
            start_date=TODAY,
            end_date=TODAY + dt.timedelta(days=30),
            objectives="Practice.",
        )
    with pytest.raises(ValidationError, match="it takes no new projects"):
        projects.create_project(
            user=cast.program_admin,
            program=cast.program,
            title="P",
            kind=m.Project.Kind.values[0],
            size=m.Project.Size.values[0],
            lead_organization=cast.program.lead_university,
        )


def test_a_draft_program_takes_no_students(cast: Cast) -> None:
    program = draft_with(cast, ready=True)
    with pytest.raises(ValidationError) as exc:
        people.enrol_student(
            user=cast.program_admin,
            student_user=UserFactory(),
            program=program,
            student_number="S2",
            cohort=2026,
            enrolled_on=TODAY,
        )
    assert field_errors(exc)["program"] == [
        "The program is still a draft; activate it before enrolling students."
    ]


def test_an_organisation_becomes_no_partner_twice(cast: Cast) -> None:
    third = OrganizationFactory()
    partners.add_partner(
        user=cast.program_admin,
        program=cast.program,
        organization=third,
        agreement_start=TODAY,
    )
    with pytest.raises(ValidationError) as exc:
        partners.add_partner(
            user=cast.program_admin,
            program=cast.program,
            organization=third,
            agreement_start=TODAY,
        )
    assert field_errors(exc) == {
        "organization": ["This organisation is already a partner of the program."]
    }


def test_a_retired_stage_takes_no_new_milestone(cast: Cast) -> None:
    s = stage(cast)
    template(cast, "Proposal", on=s)
    elements.remove_element(user=cast.program_admin, element=s)
    s.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        template(cast, "Mid-term", on=s)
    assert field_errors(exc) == {"stage": ["This stage is retired; choose a stage in use."]}
