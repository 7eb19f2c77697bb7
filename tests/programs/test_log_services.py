"""Progress logs, corrections, acknowledgements, case logs and case totals."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import User
from programs import models as m
from programs.training.services import logs, training
from tests.cast import Cast, who

from .factories import (
    AssignmentFactory,
    PlacementFactory,
    PlanFactory,
    ProgressLogFactory,
    TutorFactory,
)

pytestmark = pytest.mark.django_db


def yesterday() -> dt.date:
    return timezone.localdate() - dt.timedelta(days=1)


def write(cast: Cast, user: Any = None, **kwargs: Any) -> m.ProgressLog:
    values: dict[str, Any] = {
        "date": yesterday(),
        "kind": m.ProgressLog.Kind.CLINICAL,
        "minutes": 90,
        "summary": "CT head protocols at the scanner.",
        **kwargs,
    }
    return logs.write_progress_log(user=user or cast.tutor.user, student=cast.student, **values)


def ct_cases(count: int = 12) -> dict[str, Any]:
    return {"modality": "ct", "procedure": "Head CT", "count": count, "role": "assisted"}


def age(log: m.ProgressLog, hours: int) -> None:
    """Move the log's creation back in time (no sleeping)."""
    m.ProgressLog.objects.filter(pk=log.pk).update(
        created_at=timezone.now() - dt.timedelta(hours=hours)
    )
    log.refresh_from_db()


# ---- Writing -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["tutor", "practice_tutor"])
def test_a_current_tutor_writes_a_shared_progress_log(
    cast: Cast, outsider: User, name: str
) -> None:
    log = write(cast, who(cast, name, outsider))

    assert (log.author, log.student, log.minutes, log.shared) == (
        who(cast, name, outsider),
        cast.student,
        90,
        True,
    )
    assert set(m.ProgressLog.objects.visible_to(cast.student.user)) == {log}


@pytest.mark.parametrize(
    "name", ["student", "other_student", "other_tutor", "coordinator", "program_admin", "outsider"]
)
def test_nobody_but_a_current_tutor_writes_a_progress_log(
    cast: Cast, outsider: User, name: str
) -> None:
    with pytest.raises(PermissionDenied):
        write(cast, who(cast, name, outsider))
    assert not m.ProgressLog.objects.exists()


def test_a_progress_log_cannot_be_dated_in_the_future(cast: Cast) -> None:
    with pytest.raises(ValidationError) as error:
        write(cast, date=timezone.localdate() + dt.timedelta(days=1))
    assert error.value.message_dict == {"date": ["The date cannot be in the future."]}


@pytest.mark.parametrize("minutes", [0, 1441])
def test_minutes_out_of_range_are_refused(cast: Cast, minutes: int) -> None:
    with pytest.raises(ValidationError) as error:
        write(cast, minutes=minutes)
    assert error.value.message_dict == {"minutes": ["Minutes must be between 1 and 1440."]}


def test_an_unknown_kind_and_an_empty_summary_are_field_errors(cast: Cast) -> None:
    with pytest.raises(ValidationError) as error:
        write(cast, kind="party", summary="")
    assert set(error.value.message_dict) == {"kind", "summary"}


def test_milestones_placements_and_projects_must_be_the_students(cast: Cast) -> None:
    others_placement = PlacementFactory(student=cast.other_student, host=cast.hospital)
    others_milestone = m.Milestone.objects.create(
        student=cast.other_student, kind="other", title="Olga's", due_date=yesterday()
    )
    project = m.Project.objects.create(
        program=cast.program,
        title="Low-dose CT",
        kind="clinical",
        size="small",
        lead_organization=cast.hospital,
    )

    with pytest.raises(ValidationError) as error:
        write(cast, placement=others_placement, milestone=others_milestone, project=project)

    assert error.value.message_dict == {
        "milestone": ["This milestone is another student's."],
        "placement": ["This placement is another student's."],
        "project": ["The student is not a member of this project."],
    }
    m.ProjectMember.objects.create(project=project, user=cast.student.user)
    assert write(cast, project=project).project == project


def test_one_logged_session_is_a_supervision_contact_and_verified_case_log_evidence(
    cast: Cast,
) -> None:
    mr = {"modality": "mr", "procedure": "Knee MR", "count": 3, "role": "observed"}

    log = write(cast, cast.practice_tutor.user, placement=cast.placement, cases=[ct_cases(), mr])

    rows = list(m.CaseLog.objects.order_by("modality"))
    assert [(c.modality, c.count, c.role) for c in rows] == [
        ("ct", 12, "assisted"),
        ("mr", 3, "observed"),
    ]
    for row in rows:
        assert (row.progress_log, row.placement, row.student, row.date) == (
            log,
            cast.placement,
            cast.student,
            log.date,
        )
        assert (row.recorded_by, row.verified_by) == (cast.practice_tutor.user,) * 2
        assert row.verified_at is not None
    assert {c["modality"]: c["verified"] for c in logs.case_totals(student=cast.student)} == {
        "ct": 12,
        "mr": 3,
    }


def test_cases_logged_by_the_academic_tutor_wait_for_the_practice_tutor(cast: Cast) -> None:
    write(cast, cast.tutor.user, placement=cast.placement, cases=[ct_cases()])

    case_log = m.CaseLog.objects.get()
    assert (case_log.recorded_by, case_log.verified_by) == (cast.tutor.user, None)
    logs.verify_case_log(user=cast.practice_tutor.user, case_log=case_log)
    assert case_log.verified_by == cast.practice_tutor.user


def test_a_bad_case_row_refuses_the_whole_log(cast: Cast) -> None:
    bad = {"modality": "xray", "procedure": "", "count": 0, "role": "assisted"}

    with pytest.raises(ValidationError) as error:
        write(cast, cast.practice_tutor.user, cases=[ct_cases(), bad])

    assert error.value.message_dict["cases"] == [
        "Case 2, modality: “xray” is not one of the choices.",
        "Case 2, procedure or task: Please fill in this field.",
        "Case 2, count: The count must be between 1 and 1000.",
    ]
    assert not m.ProgressLog.objects.exists()
    assert not m.CaseLog.objects.exists()


# ---- Editing and corrections ---------------------------------------------------------------


def test_the_author_edits_a_log_within_48_hours_and_its_cases_follow(cast: Cast) -> None:
    log = write(cast, cast.practice_tutor.user, placement=cast.placement, cases=[ct_cases()])
    age(log, 47)
    earlier = yesterday() - dt.timedelta(days=1)

    logs.edit_progress_log(user=cast.practice_tutor.user, log=log, minutes=120, date=earlier)

    log.refresh_from_db()
    assert (log.minutes, log.date) == (120, earlier)
    assert m.CaseLog.objects.get().date == earlier


def test_moving_a_log_off_the_placement_drops_the_verification_of_its_cases(cast: Cast) -> None:
    log = write(cast, cast.practice_tutor.user, placement=cast.placement, cases=[ct_cases()])
    elsewhere = PlacementFactory(
        student=cast.student, host=cast.other_hospital, practice_tutor=TutorFactory()
    )

    logs.edit_progress_log(user=cast.practice_tutor.user, log=log, placement=elsewhere)

    case_log = m.CaseLog.objects.get()
    assert (case_log.placement, case_log.verified_by, case_log.verified_at) == (
        elsewhere,
        None,
        None,
    )


def test_editing_after_48_hours_tells_the_author_to_append_a_correction(cast: Cast) -> None:
    log = write(cast)
    age(log, 49)

    with pytest.raises(ValidationError) as error:
        logs.edit_progress_log(user=cast.tutor.user, log=log, minutes=30)

    (message,) = error.value.messages
    assert message.startswith("This log can no longer be edited (the 48-hour window closed on ")
    assert message.endswith("Append a correction instead.")
    log.refresh_from_db()
    assert log.minutes == 90


@pytest.mark.parametrize("name", ["practice_tutor", "student", "program_admin", "outsider"])
def test_nobody_but_the_author_edits_a_log(cast: Cast, outsider: User, name: str) -> None:
    log = write(cast)
    with pytest.raises(PermissionDenied):
        logs.edit_progress_log(user=who(cast, name, outsider), log=log, minutes=30)


def test_edits_are_validated_like_new_logs(cast: Cast) -> None:
    log = write(cast)
    with pytest.raises(ValidationError) as error:
        logs.edit_progress_log(
            user=cast.tutor.user, log=log, minutes=0, date=timezone.localdate() + dt.timedelta(1)
        )
    assert set(error.value.message_dict) == {"minutes", "date"}


def test_after_the_window_the_author_appends_a_correction(cast: Cast) -> None:
    log = write(cast)
    age(log, 48)

    correction = logs.add_correction(user=cast.tutor.user, log=log, text="It was 60 minutes.")

    assert list(log.corrections.all()) == [correction]
    assert (correction.author, correction.text) == (cast.tutor.user, "It was 60 minutes.")


def test_a_correction_before_the_window_closes_is_refused_editing_is_the_way(cast: Cast) -> None:
    log = write(cast)

    with pytest.raises(ValidationError) as error:
        logs.add_correction(user=cast.tutor.user, log=log, text="It was 60 minutes.")

    (message,) = error.value.messages
    assert message.startswith("You can still edit this log until ")
    assert not log.corrections.exists()


def test_a_correction_needs_text(cast: Cast) -> None:
    log = write(cast)
    age(log, 72)
    with pytest.raises(ValidationError) as error:
        logs.add_correction(user=cast.tutor.user, log=log, text=" ")
    assert error.value.message_dict == {"text": ["Write the correction."]}


@pytest.mark.parametrize("name", ["practice_tutor", "student", "outsider"])
def test_nobody_but_the_author_appends_a_correction(cast: Cast, outsider: User, name: str) -> None:
    log = write(cast)
    age(log, 72)
    with pytest.raises(PermissionDenied):
        logs.add_correction(user=who(cast, name, outsider), log=log, text="No.")


# ---- Acknowledgement -----------------------------------------------------------------------


def test_the_student_acknowledges_a_shared_log_once_and_may_comment_later(cast: Cast) -> None:
    log = write(cast)

    logs.acknowledge_log(user=cast.student.user, log=log)
    first = log.acknowledged_at
    logs.acknowledge_log(user=cast.student.user, log=log, comment="Thanks, noted.")

    log.refresh_from_db()
    assert first is not None
    assert (log.acknowledged_at, log.student_comment) == (first, "Thanks, noted.")


def test_a_private_log_cannot_be_acknowledged(cast: Cast) -> None:
    log = write(cast, shared=False)
    with pytest.raises(PermissionDenied):
        logs.acknowledge_log(user=cast.student.user, log=log)


@pytest.mark.parametrize("name", ["tutor", "other_student", "outsider"])
def test_nobody_but_the_student_acknowledges(cast: Cast, outsider: User, name: str) -> None:
    log = write(cast)
    with pytest.raises(PermissionDenied):
        logs.acknowledge_log(user=who(cast, name, outsider), log=log)


# ---- Case logs -----------------------------------------------------------------------------


def record(cast: Cast, user: Any, **kwargs: Any) -> m.CaseLog:
    values: dict[str, Any] = {"date": yesterday(), **ct_cases(5), **kwargs}
    return logs.record_case_log(user=user, student=cast.student, **values)


def test_the_student_records_cases_which_wait_for_verification(cast: Cast) -> None:
    case_log = record(cast, cast.student.user, placement=cast.placement)

    assert (case_log.recorded_by, case_log.verified_by, case_log.count) == (
        cast.student.user,
        None,
        5,
    )


def test_cases_the_practice_tutor_records_are_verified_at_once(cast: Cast) -> None:
    case_log = record(cast, cast.practice_tutor.user, placement=cast.placement)
    assert case_log.verified_by == cast.practice_tutor.user


@pytest.mark.parametrize("name", ["other_student", "other_tutor", "coordinator", "outsider"])
def test_nobody_outside_the_care_circle_records_cases(
    cast: Cast, outsider: User, name: str
) -> None:
    with pytest.raises(PermissionDenied):
        record(cast, who(cast, name, outsider))


def test_case_logs_are_validated(cast: Cast) -> None:
    others = PlacementFactory(student=cast.other_student, host=cast.hospital)
    with pytest.raises(ValidationError) as error:
        record(
            cast,
            cast.student.user,
            date=timezone.localdate() + dt.timedelta(days=1),
            modality="xray",
            count=1001,
            role="slept",
            placement=others,
        )
    assert error.value.message_dict == {
        "date": ["The date cannot be in the future."],
        "modality": ["“xray” is not one of the choices."],
        "role": ["“slept” is not one of the choices."],
        "count": ["The count must be between 1 and 1000."],
        "placement": ["This placement is another student's."],
    }


@pytest.mark.parametrize("name", ["student", "tutor", "other_tutor", "coordinator", "outsider"])
def test_only_the_practice_tutor_verifies_cases(cast: Cast, outsider: User, name: str) -> None:
    case_log = record(cast, cast.student.user, placement=cast.placement)
    with pytest.raises(PermissionDenied):
        logs.verify_case_log(user=who(cast, name, outsider), case_log=case_log)


def test_cases_at_a_placement_are_verified_by_that_placements_tutor_only(cast: Cast) -> None:
    second = TutorFactory(kind=m.TutorProfile.Kind.PRACTICE, organization=cast.other_hospital)
    AssignmentFactory(student=cast.student, tutor=second)
    elsewhere = PlacementFactory(
        student=cast.student, host=cast.other_hospital, practice_tutor=second
    )
    case_log = record(cast, cast.student.user, placement=elsewhere)

    with pytest.raises(PermissionDenied):
        logs.verify_case_log(user=cast.practice_tutor.user, case_log=case_log)
    logs.verify_case_log(user=second.user, case_log=case_log)


def test_cases_are_verified_once(cast: Cast) -> None:
    case_log = record(cast, cast.student.user, placement=cast.placement)
    logs.verify_case_log(user=cast.practice_tutor.user, case_log=case_log)

    with pytest.raises(ValidationError) as error:
        logs.verify_case_log(user=cast.practice_tutor.user, case_log=case_log)

    assert error.value.messages[0].startswith("These cases were already verified on ")


# ---- Totals --------------------------------------------------------------------------------


def test_case_totals_count_all_and_verified_cases_against_the_approved_plans_targets(
    cast: Cast, django_assert_max_num_queries: Any
) -> None:
    approved = PlanFactory(student=cast.student, version=1, status="approved")
    m.PlanCaseTarget.objects.create(plan=approved, modality="ct", target=100)
    m.PlanCaseTarget.objects.create(plan=approved, modality="us", target=40)
    draft = PlanFactory(student=cast.student, version=2, status="draft")
    m.PlanCaseTarget.objects.create(plan=draft, modality="ct", target=999)
    record(cast, cast.student.user, count=5)
    record(cast, cast.practice_tutor.user, count=7, placement=cast.placement)
    record(cast, cast.student.user, modality="mr", count=2)
    logs.record_case_log(
        user=cast.other_student.user,
        student=cast.other_student,
        date=yesterday(),
        **ct_cases(50),
    )

    with django_assert_max_num_queries(2):
        totals = logs.case_totals(student=cast.student)

    assert totals == [
        {"modality": "ct", "label": "CT", "total": 12, "verified": 7, "target": 100},
        {"modality": "mr", "label": "MR", "total": 2, "verified": 0, "target": None},
        {"modality": "us", "label": "Ultrasound", "total": 0, "verified": 0, "target": 40},
    ]


def test_without_an_approved_plan_the_latest_versions_targets_count(cast: Cast) -> None:
    training.draft_plan(
        user=cast.student.user,
        student=cast.student,
        career_goal="clinical",
        personal_objectives="CT",
        case_targets={"ct": 30},
    )
    record(cast, cast.student.user, count=4)

    assert logs.case_totals(student=cast.student) == [
        {"modality": "ct", "label": "CT", "total": 4, "verified": 0, "target": 30}
    ]


def test_a_student_without_plan_or_cases_has_no_totals(cast: Cast) -> None:
    ProgressLogFactory(student=cast.student, author=cast.tutor.user)
    assert logs.case_totals(student=cast.student) == []
