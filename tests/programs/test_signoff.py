"""Quick sign-off: a single-use, expiring link bound to one practice tutor and one record."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.formats import date_format

from accounts.models import User
from programs import models as m
from programs.training.services import logs, signoff
from tests.cast import Cast, who
from training_portal.core.models import Notification

from .factories import AssignmentFactory, ProgressLogFactory, TutorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def log(cast: Cast) -> m.ProgressLog:
    return ProgressLogFactory(student=cast.student, author=cast.tutor.user)


@pytest.fixture
def case_log(cast: Cast) -> m.CaseLog:
    return logs.record_case_log(
        user=cast.student.user,
        student=cast.student,
        date=timezone.localdate(),
        modality="ct",
        procedure="Head CT",
        count=8,
        role="performed",
        placement=cast.placement,
    )


@pytest.fixture
def milestone(cast: Cast) -> m.Milestone:
    return m.Milestone.objects.create(
        student=cast.student,
        kind="practice_completion",
        title="Practice",
        due_date=timezone.localdate(),
    )


def issue(cast: Cast, target: Any, **kwargs: Any) -> str:
    values: dict[str, Any] = {
        "user": cast.student.user,
        "target": target,
        "tutor_user": cast.practice_tutor.user,
        **kwargs,
    }
    return signoff.issue_signoff_link(**values)


def day(moment: dt.datetime) -> str:
    return date_format(timezone.localtime(moment), "DATE_FORMAT")


# ---- Issuing -------------------------------------------------------------------------------


def test_the_link_is_e_mailed_to_the_practice_tutor_alone_after_commit(
    cast: Cast,
    log: m.ProgressLog,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
    mailoutbox: Any,
) -> None:
    settings.SITE_URL = "https://portal.example.org/"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        token = issue(cast, log, user=cast.tutor.user)
    assert mailoutbox == []

    for callback in callbacks:
        callback()

    (mail,) = mailoutbox
    assert mail.to == ["pia@example.org"]
    assert mail.subject == "Please confirm a record of Stan Student"
    assert f"https://portal.example.org/signoff/{token}/" in mail.body
    assert "Tom Tutor asks you to confirm this record of Stan Student" in mail.body
    assert "Discussed the proposal." in mail.body


def test_only_the_hash_of_the_token_is_stored_and_no_notification_repeats_it(
    cast: Cast, log: m.ProgressLog
) -> None:
    token = issue(cast, log)

    record = m.SignOffToken.objects.get()
    assert record.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert (record.tutor, record.target, record.created_by) == (
        cast.practice_tutor.user,
        log,
        cast.student.user,
    )
    assert record.expires_at - record.created_at == dt.timedelta(days=7)
    assert not Notification.objects.filter(body__contains=token).exists()


def test_the_e_mail_says_which_cases_or_milestone_to_confirm(
    cast: Cast,
    case_log: m.CaseLog,
    milestone: m.Milestone,
    django_capture_on_commit_callbacks: Any,
    mailoutbox: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        issue(cast, case_log)
        issue(cast, milestone)

    assert ": 8 \u00d7 CT, Head CT (Performed)" in mailoutbox[0].body
    assert "Milestone “Practice” (due " in mailoutbox[1].body


@pytest.mark.parametrize("name", ["tutor", "program_admin", "student"])
def test_the_students_care_circle_may_ask_for_a_sign_off(
    cast: Cast, log: m.ProgressLog, outsider: User, name: str
) -> None:
    assert issue(cast, log, user=who(cast, name, outsider))


@pytest.mark.parametrize("name", ["other_student", "other_tutor", "coordinator", "outsider"])
def test_nobody_else_may_ask_for_a_sign_off(
    cast: Cast, log: m.ProgressLog, outsider: User, name: str
) -> None:
    with pytest.raises(PermissionDenied):
        issue(cast, log, user=who(cast, name, outsider))
    assert not m.SignOffToken.objects.exists()


@pytest.mark.parametrize("name", ["tutor", "other_tutor", "coordinator", "student"])
def test_only_a_current_practice_tutor_of_the_student_can_be_asked(
    cast: Cast, log: m.ProgressLog, outsider: User, name: str
) -> None:
    with pytest.raises(ValidationError) as error:
        issue(cast, log, tutor_user=who(cast, name, outsider))
    assert list(error.value.message_dict) == ["tutor_user"]


def test_cases_at_a_placement_go_to_that_placements_practice_tutor(
    cast: Cast, case_log: m.CaseLog
) -> None:
    second = TutorFactory(kind=m.TutorProfile.Kind.PRACTICE, organization=cast.other_hospital)
    AssignmentFactory(student=cast.student, tutor=second)

    with pytest.raises(ValidationError):
        issue(cast, case_log, tutor_user=second.user)
    assert issue(cast, case_log)


def test_only_logs_cases_and_milestones_are_signed_off_by_link(cast: Cast) -> None:
    with pytest.raises(ValidationError) as error:
        issue(cast, cast.placement)
    assert list(error.value.message_dict) == ["target"]


def test_a_confirmed_record_needs_no_link_and_validity_is_bounded(
    cast: Cast, log: m.ProgressLog
) -> None:
    log.confirmed_by, log.confirmed_at = cast.practice_tutor.user, timezone.now()
    log.save()
    with pytest.raises(ValidationError) as error:
        issue(cast, log, valid_days=0)
    assert error.value.message_dict == {
        "__all__": ["This record is already confirmed."],
        "valid_days": ["A link is valid for 1 to 30 days."],
    }


# ---- Redeeming -----------------------------------------------------------------------------


def test_the_link_confirms_a_progress_log_in_the_tutors_name(
    cast: Cast, log: m.ProgressLog
) -> None:
    token = issue(cast, log)

    assert signoff.redeem_signoff(token=token) == log

    log.refresh_from_db()
    assert log.confirmed_by == cast.practice_tutor.user
    assert log.confirmed_at is not None
    assert m.SignOffToken.objects.get().used_at == log.confirmed_at


def test_the_link_verifies_a_case_log(cast: Cast, case_log: m.CaseLog) -> None:
    signoff.redeem_signoff(token=issue(cast, case_log))

    case_log.refresh_from_db()
    assert case_log.verified_by == cast.practice_tutor.user
    assert case_log.verified_at is not None


def test_the_link_signs_off_a_milestone_completed_today_when_no_date_was_given(
    cast: Cast, milestone: m.Milestone
) -> None:
    signoff.redeem_signoff(token=issue(cast, milestone))

    milestone.refresh_from_db()
    assert milestone.signed_off_by == cast.practice_tutor.user
    assert milestone.completed_on == timezone.localdate()


def test_a_milestone_keeps_its_completion_date_when_it_has_one(
    cast: Cast, milestone: m.Milestone
) -> None:
    milestone.completed_on = dt.date(2026, 6, 30)
    milestone.save()

    signoff.redeem_signoff(token=issue(cast, milestone))

    milestone.refresh_from_db()
    assert milestone.completed_on == dt.date(2026, 6, 30)
    assert milestone.signed_off_at is not None


def test_a_link_works_once_then_says_when_it_was_used(cast: Cast, log: m.ProgressLog) -> None:
    token = issue(cast, log)
    signoff.redeem_signoff(token=token)
    used_at = m.SignOffToken.objects.get().used_at
    assert used_at is not None

    with pytest.raises(ValidationError) as error:
        signoff.redeem_signoff(token=token)

    assert error.value.messages == [f"This link has already been used on {day(used_at)}."]


def test_an_expired_link_says_when_it_expired(cast: Cast, log: m.ProgressLog) -> None:
    token = issue(cast, log)
    expired = timezone.now() - dt.timedelta(minutes=1)
    m.SignOffToken.objects.update(expires_at=expired)

    with pytest.raises(ValidationError) as error:
        signoff.redeem_signoff(token=token)

    assert error.value.messages == [f"This link expired on {day(expired)}. Ask for a new one."]
    log.refresh_from_db()
    assert log.confirmed_at is None


@pytest.mark.parametrize("token", ["", "not-a-token", "x" * 43])
def test_an_unknown_link_is_not_valid(cast: Cast, log: m.ProgressLog, token: str) -> None:
    issue(cast, log)
    with pytest.raises(ValidationError) as error:
        signoff.redeem_signoff(token=token)
    assert error.value.messages == ["This sign-off link is not valid."]


@pytest.mark.parametrize("name", ["tutor", "student", "coordinator", "outsider"])
def test_a_signed_in_person_other_than_the_tutor_cannot_use_the_link(
    cast: Cast, log: m.ProgressLog, outsider: User, name: str
) -> None:
    token = issue(cast, log)

    with pytest.raises(PermissionDenied):
        signoff.redeem_signoff(token=token, acting_user=who(cast, name, outsider))

    assert m.SignOffToken.objects.get().used_at is None
    signoff.redeem_signoff(token=token, acting_user=cast.practice_tutor.user)
    log.refresh_from_db()
    assert log.confirmed_by == cast.practice_tutor.user


def test_a_tutor_who_no_longer_supervises_the_student_cannot_use_an_old_link(
    cast: Cast, log: m.ProgressLog
) -> None:
    token = issue(cast, log)
    m.TutorAssignment.objects.filter(tutor=cast.practice_tutor).update(
        ended_on=timezone.localdate()
    )

    with pytest.raises(ValidationError) as error:
        signoff.redeem_signoff(token=token)

    assert error.value.messages == [
        "You no longer supervise this student; this link cannot be used."
    ]


def test_a_record_confirmed_meanwhile_keeps_its_first_confirmation(
    cast: Cast, case_log: m.CaseLog
) -> None:
    token = issue(cast, case_log)
    logs.verify_case_log(user=cast.practice_tutor.user, case_log=case_log)
    first = case_log.verified_at

    signoff.redeem_signoff(token=token)

    case_log.refresh_from_db()
    assert case_log.verified_at == first
    assert m.SignOffToken.objects.get().used_at is not None
