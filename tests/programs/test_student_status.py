"""A student's status lifecycle through the services: the transition table as a table
(from status x action x role -> result), requests and their decisions, the effects of each
change (milestones move, supervision ends, graduation needs every milestone), the graduate's
destination and follow-up, and the audit rules and evaluation requests run on data made by
these services."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.formats import date_format

from programs import models as m
from programs.people.services import student_status
from programs.people.workflow import TRANSITIONS
from programs.training.services.training import instantiate_milestones
from supervision.audits.engine import run_audit, start_audit
from supervision.models import AuditRun, Finding
from tests.cast import Cast, who
from tests.programs.factories import MilestoneTemplateFactory, ProgressLogFactory
from training_portal.core.models import Job

pytestmark = pytest.mark.django_db

Status = m.Student.Status
Decision = m.StudentStatusChange.Decision
TODAY = timezone.localdate()


def days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


def valid_input(cast: Cast, action: str) -> dict[str, Any]:
    """Inputs that the action accepts from any status it starts from."""
    return {
        "suspend": {"starts_on": days(-10), "ends_on": days(170), "reason": "Illness"},
        "resume": {"starts_on": TODAY, "reason": "Recovered"},
        "extend": {"ends_on": days(800), "shift_days": 30, "reason": "Thesis needs a year more"},
        "withdraw": {"starts_on": TODAY, "reason": "Moved abroad"},
        "change-tutor": {"tutor": cast.other_tutor, "reason": "Tom retires"},
        "graduate": {"starts_on": TODAY, "reason": "Defended the thesis"},
    }[action]


def bring_to(cast: Cast, status: str) -> m.Student:
    """Put `cast.student` in `status` through the services, as a program administrator would."""
    student = cast.student
    admin = cast.program_admin
    if status == Status.SUSPENDED:
        student_status.change_student_status(
            user=admin,
            student=student,
            action="suspend",
            starts_on=days(-30),
            ends_on=days(150),
            reason="Illness",
        )
    elif status == Status.WITHDRAWN:
        student_status.change_student_status(
            user=admin, student=student, action="withdraw", starts_on=TODAY, reason="Left"
        )
    elif status == Status.GRADUATED:
        student_status.change_student_status(
            user=admin, student=student, action="graduate", starts_on=TODAY, reason="Defended"
        )
    student.refresh_from_db()
    assert student.status == status
    return student


def expected(action: str, from_status: str, role: str) -> str:
    """The table: "applied", "pending", "forbidden" (PermissionDenied) or "invalid" (400)."""
    transition = TRANSITIONS[action]
    if role == "program_admin":
        return "applied" if from_status in transition.sources else "invalid"
    if role == "tutor" and from_status == Status.WITHDRAWN:
        return "forbidden"  # a withdrawal ended the supervision
    if role in ("student", "tutor") and transition.requestable:
        return "pending" if from_status in transition.sources else "invalid"
    return "forbidden"


ROLES = ["program_admin", "student", "tutor", "coordinator", "other_student"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("from_status", list(Status.values))
@pytest.mark.parametrize("action", list(TRANSITIONS))
def test_the_transition_table_through_the_services(
    cast: Cast, outsider: Any, action: str, from_status: str, role: str
) -> None:
    student = bring_to(cast, from_status)
    user = who(cast, role, outsider)
    outcome = expected(action, from_status, role)
    before = m.StudentStatusChange.objects.count()
    if outcome == "forbidden":
        with pytest.raises(PermissionDenied):
            student_status.change_student_status(
                user=user, student=student, action=action, **valid_input(cast, action)
            )
    elif outcome == "invalid":
        with pytest.raises(ValidationError) as caught:
            student_status.change_student_status(
                user=user, student=student, action=action, **valid_input(cast, action)
            )
        assert "action" in caught.value.message_dict
    else:
        change = student_status.change_student_status(
            user=user, student=student, action=action, **valid_input(cast, action)
        )
        student.refresh_from_db()
        target = TRANSITIONS[action].target or from_status
        if outcome == "applied":
            assert (change.decision, student.status) == (Decision.APPROVED, target)
            assert change.decided_by == user
        else:
            assert (change.decision, student.status) == (Decision.PENDING, from_status)
            assert change.decided_by is None
        assert (change.from_status, change.to_status) == (from_status, target)
        return
    assert m.StudentStatusChange.objects.count() == before  # nothing half-saved


def test_a_students_suspension_request_is_approved_by_the_program_admin(cast: Cast) -> None:
    change = student_status.change_student_status(
        user=cast.student.user,
        student=cast.student,
        action="suspend",
        starts_on=days(-5),
        ends_on=days(90),
        reason="Family illness",
    )
    cast.student.refresh_from_db()
    assert cast.student.status == Status.ACTIVE
    student_status.decide_status_request(user=cast.program_admin, change=change, approve=True)
    cast.student.refresh_from_db()
    change.refresh_from_db()
    assert (cast.student.status, cast.student.status_since) == (Status.SUSPENDED, days(-5))
    assert (change.decision, change.decided_by) == (Decision.APPROVED, cast.program_admin)


def test_a_refusal_needs_a_note_and_leaves_the_status(cast: Cast) -> None:
    change = student_status.change_student_status(
        user=cast.tutor.user, student=cast.student, action="withdraw", starts_on=TODAY, reason="?"
    )
    with pytest.raises(ValidationError) as caught:
        student_status.decide_status_request(user=cast.program_admin, change=change, approve=False)
    assert set(caught.value.message_dict) == {"decision_note"}
    student_status.decide_status_request(
        user=cast.program_admin, change=change, approve=False, note="Talk to me first."
    )
    cast.student.refresh_from_db()
    change.refresh_from_db()
    assert (cast.student.status, change.decision) == (Status.ACTIVE, Decision.REFUSED)


@pytest.mark.parametrize("role", ["student", "tutor", "coordinator"])
def test_only_a_program_admin_decides_a_request(cast: Cast, outsider: Any, role: str) -> None:
    change = student_status.change_student_status(
        user=cast.student.user, student=cast.student, action="extend", ends_on=days(900), reason="x"
    )
    with pytest.raises(PermissionDenied):
        student_status.decide_status_request(
            user=who(cast, role, outsider), change=change, approve=True
        )


def test_a_decided_request_is_not_decided_again(cast: Cast) -> None:
    change = student_status.change_student_status(
        user=cast.student.user, student=cast.student, action="extend", ends_on=days(900), reason="x"
    )
    student_status.decide_status_request(user=cast.program_admin, change=change, approve=True)
    with pytest.raises(ValidationError) as caught:
        student_status.decide_status_request(user=cast.program_admin, change=change, approve=True)
    assert set(caught.value.message_dict) == {"decision"}


def test_one_request_awaits_a_decision_at_a_time(cast: Cast) -> None:
    inputs = {"action": "extend", "ends_on": days(900), "reason": "x"}
    student_status.change_student_status(user=cast.student.user, student=cast.student, **inputs)
    with pytest.raises(ValidationError) as caught:
        student_status.change_student_status(user=cast.tutor.user, student=cast.student, **inputs)
    assert caught.value.messages == [
        "This student already has a status request awaiting a decision."
    ]


def test_bad_input_is_reported_field_by_field_in_one_pass(cast: Cast) -> None:
    with pytest.raises(ValidationError) as caught:
        student_status.change_student_status(
            user=cast.program_admin,
            student=cast.student,
            action="suspend",
            starts_on=days(400),
            ends_on=None,
            reason="  ",
        )
    limit = date_format(days(365), "DATE_FORMAT")
    assert caught.value.message_dict == {
        "starts_on": [f"A suspension can start at most a year ahead (by {limit})."],
        "ends_on": ["Give the expected end of the suspension."],
        "reason": ["Give a reason."],
    }


def test_a_suspension_cannot_end_before_it_starts(cast: Cast) -> None:
    with pytest.raises(ValidationError) as caught:
        student_status.change_student_status(
            user=cast.program_admin,
            student=cast.student,
            action="suspend",
            starts_on=days(-3),
            ends_on=days(-4),
            reason="Illness",
        )
    assert caught.value.message_dict == {
        "ends_on": ["The end date cannot be before the start date."]
    }


def test_resumption_moves_open_milestones_by_the_length_of_the_suspension(cast: Cast) -> None:
    open_one = m.Milestone.objects.create(
        student=cast.student, kind="defence", title="Defence", due_date=days(20)
    )
    done = m.Milestone.objects.create(
        student=cast.student,
        kind="other",
        title="Done",
        due_date=days(-100),
        completed_on=days(-101),
    )
    bring_to(cast, Status.SUSPENDED)  # from 30 days ago
    change = student_status.change_student_status(
        user=cast.program_admin,
        student=cast.student,
        action="resume",
        starts_on=days(-2),
        reason="Recovered",
    )
    open_one.refresh_from_db()
    done.refresh_from_db()
    cast.student.refresh_from_db()
    assert change.shift_days == 28
    assert (open_one.due_date, done.due_date) == (days(48), days(-100))
    assert (cast.student.status, cast.student.status_since) == (Status.ACTIVE, days(-2))


def test_study_cannot_resume_before_the_suspension_began(cast: Cast) -> None:
    bring_to(cast, Status.SUSPENDED)
    with pytest.raises(ValidationError) as caught:
        student_status.change_student_status(
            user=cast.program_admin,
            student=cast.student,
            action="resume",
            starts_on=days(-31),
            reason="x",
        )
    assert list(caught.value.message_dict) == ["starts_on"]


def test_an_extension_sets_the_new_end_and_moves_open_milestones(cast: Cast) -> None:
    milestone = m.Milestone.objects.create(
        student=cast.student, kind="defence", title="Defence", due_date=days(20)
    )
    student_status.change_student_status(
        user=cast.program_admin,
        student=cast.student,
        action="extend",
        ends_on=days(700),
        shift_days=90,
        reason="x",
    )
    milestone.refresh_from_db()
    cast.student.refresh_from_db()
    assert (milestone.due_date, cast.student.expected_end_on) == (days(110), days(700))
    with pytest.raises(ValidationError) as caught:
        student_status.change_student_status(
            user=cast.program_admin,
            student=cast.student,
            action="extend",
            ends_on=days(600),
            shift_days=-1,
            reason="x",
        )
    assert set(caught.value.message_dict) == {"ends_on", "shift_days"}


def test_withdrawal_ends_every_current_supervision(cast: Cast) -> None:
    bring_to(cast, Status.WITHDRAWN)
    assert not m.TutorAssignment.objects.filter(
        student=cast.student, ended_on__isnull=True
    ).exists()


def test_graduation_lists_the_milestones_still_missing(cast: Cast) -> None:
    for title in ("Proposal", "Thesis"):
        m.Milestone.objects.create(student=cast.student, kind="other", title=title, due_date=TODAY)
    with pytest.raises(ValidationError) as caught:
        student_status.change_student_status(
            user=cast.program_admin,
            student=cast.student,
            action="graduate",
            starts_on=TODAY,
            reason="Defended",
        )
    assert caught.value.message_dict == {
        "action": ["2 milestones are not complete: Proposal; Thesis."]
    }


def test_change_of_tutor_replaces_the_academic_tutor(cast: Cast) -> None:
    student_status.change_student_status(
        user=cast.program_admin,
        student=cast.student,
        action="change-tutor",
        tutor=cast.other_tutor,
        reason="Tom retires",
    )
    current = set(
        m.TutorAssignment.objects.filter(student=cast.student, ended_on__isnull=True).values_list(
            "tutor", flat=True
        )
    )
    assert current == {cast.other_tutor.pk, cast.practice_tutor.pk}


def test_change_of_practice_tutor_ends_the_one_replaced(cast: Cast) -> None:
    from tests.programs.factories import TutorFactory

    new = TutorFactory(kind=m.TutorProfile.Kind.PRACTICE, organization=cast.hospital)
    old = m.TutorAssignment.objects.get(student=cast.student, tutor=cast.practice_tutor)
    student_status.change_student_status(
        user=cast.program_admin,
        student=cast.student,
        action="change-tutor",
        tutor=new,
        replaces=old,
        reason="Pia moved",
    )
    old.refresh_from_db()
    assert old.ended_on == TODAY
    assert m.TutorAssignment.objects.filter(
        student=cast.student, tutor=new, ended_on__isnull=True
    ).exists()


# ---- Destination and follow-up -----------------------------------------------------------------


def test_a_graduate_records_a_destination_followed_up_a_year_later(cast: Cast) -> None:
    bring_to(cast, Status.GRADUATED)
    destination = student_status.record_destination(
        user=cast.student.user,
        student=cast.student,
        employer="City Hospital",
        kind="hospital",
        region="Shanghai",
        relevance="direct",
    )
    assert destination.follow_up_due == TODAY + dt.timedelta(days=365)
    with pytest.raises(PermissionDenied):
        student_status.record_follow_up(
            user=cast.student.user, student=cast.student, still_there=True, current_relevance="x"
        )
    with pytest.raises(ValidationError) as caught:
        student_status.record_follow_up(
            user=cast.program_admin, student=cast.student, still_there=False, current_relevance=""
        )
    assert set(caught.value.message_dict) == {"current_employer", "current_relevance"}
    student_status.record_follow_up(
        user=cast.program_admin,
        student=cast.student,
        still_there=False,
        current_employer="Research Institute",
        current_relevance="related",
    )
    destination.refresh_from_db()
    assert (destination.current_employer, destination.followed_up_by) == (
        "Research Institute",
        cast.program_admin,
    )


def test_a_destination_needs_a_graduate_and_every_field(cast: Cast) -> None:
    with pytest.raises(ValidationError) as caught:
        student_status.record_destination(
            user=cast.program_admin,
            student=cast.student,
            employer="",
            kind="",
            region="",
            relevance="",
        )
    assert set(caught.value.message_dict) == {"student", "employer", "kind", "region", "relevance"}


# ---- The audit rules and evaluation requests, on data made by the services -------------------


def audit(program: m.Program, rules: list[str]) -> None:
    run = start_audit(user=None, program=program, rules=rules)
    AuditRun.objects.filter(pk=run.pk).update(as_of=TODAY)
    run_audit(run.job_id)
    run.refresh_from_db()
    assert run.job.status == Job.Status.SUCCEEDED


def findings(rule: str, student: m.Student) -> int:
    return Finding.objects.active().filter(rule=rule, student=student).count()


@pytest.fixture
def overdue_and_unsupervised(cast: Cast) -> Cast:
    """`student` has an overdue milestone and no progress log for a long time."""
    m.Milestone.objects.create(
        student=cast.student, kind="defence", title="Proposal", due_date=days(-60)
    )
    ProgressLogFactory(student=cast.other_student, author=cast.other_tutor.user, date=TODAY)
    return cast


@pytest.mark.usefixtures("celery_eager")
def test_no_overdue_or_supervision_findings_during_a_suspension(
    overdue_and_unsupervised: Cast,
) -> None:
    cast = overdue_and_unsupervised
    rules = ["milestone_overdue", "supervision_gap", "supervision_frequency"]
    audit(cast.program, rules)
    assert findings("milestone_overdue", cast.student) == 1
    assert findings("supervision_gap", cast.student) == 1
    bring_to(cast, Status.SUSPENDED)
    audit(cast.program, rules)
    assert [findings(rule, cast.student) for rule in rules] == [0, 0, 0]


@pytest.mark.usefixtures("celery_eager")
def test_after_a_resumption_dates_have_moved_and_supervision_counts_afresh(
    overdue_and_unsupervised: Cast,
) -> None:
    cast = overdue_and_unsupervised
    bring_to(cast, Status.SUSPENDED)  # 30 days ago; the milestone was due 60 days ago
    student_status.change_student_status(
        user=cast.program_admin, student=cast.student, action="resume", starts_on=TODAY, reason="x"
    )
    milestone = m.Milestone.objects.get(student=cast.student)
    assert milestone.due_date == days(-30)  # moved by the 30 days of the suspension
    audit(cast.program, ["supervision_gap", "supervision_frequency"])
    assert findings("supervision_gap", cast.student) == 0
    assert findings("supervision_frequency", cast.student) == 0


@pytest.mark.usefixtures("celery_eager")
def test_no_findings_about_a_withdrawn_student(overdue_and_unsupervised: Cast) -> None:
    cast = overdue_and_unsupervised
    bring_to(cast, Status.WITHDRAWN)
    audit(cast.program, ["milestone_overdue", "supervision_gap", "supervision_frequency"])
    assert Finding.objects.active().filter(student=cast.student).count() == 0


def test_a_suspended_student_is_owed_no_evaluation(cast: Cast) -> None:
    from evaluation.evaluations.services.rounds import _owed
    from evaluation.models import Source

    window = (days(-365), days(30))

    def evaluated_students() -> set[Any]:
        return {row[3] for row in _owed(cast.program, set(Source.values), *window)}

    assert cast.student.pk in evaluated_students()
    bring_to(cast, Status.SUSPENDED)
    assert cast.student.pk not in evaluated_students()
    assert cast.other_student.pk in evaluated_students()


def test_enrolment_milestones_are_what_graduation_checks(cast: Cast) -> None:
    template = MilestoneTemplateFactory(program=cast.program, title="Thesis")
    instantiate_milestones(student=cast.student)
    with pytest.raises(ValidationError):
        bring_to(cast, Status.GRADUATED)
    m.Milestone.objects.filter(template=template).update(completed_on=TODAY)
    assert bring_to(cast, Status.GRADUATED).status == Status.GRADUATED


def test_the_change_is_in_the_students_history(cast: Cast) -> None:
    from training_portal.core.history import events_about

    bring_to(cast, Status.SUSPENDED)
    labels = {event.pgh_label for event in events_about(cast.student)}
    models = {event.pgh_model for event in events_about(cast.student)}
    assert "update" in labels  # the student's status
    assert "programs.StudentStatusChangeEvent" in models  # and the change that made it
