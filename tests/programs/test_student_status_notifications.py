"""Who is told of a student's status requests, decisions and direct changes (and nobody else),
in the reader's language, only once the change is saved; and suspensions asked for a future
start, which wait for their date and are started by the daily task (safe to run twice)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django_celery_beat.models import PeriodicTask

from accounts.roles import Role
from programs import models as m
from programs.people.services import student_status
from programs.people.tasks import start_due_suspensions_task
from tests.cast import Cast
from tests.clients import api_for, client_for
from tests.factories import UserFactory
from tests.programs.factories import ProgramFactory, grant
from training_portal.celery import app as celery_app
from training_portal.core.models import Notification

pytestmark = pytest.mark.django_db

Status = m.Student.Status
TODAY = timezone.localdate()


def days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


def told(*, exclude_titles: tuple[str, ...] = ()) -> dict[str, str]:
    """Who got a notification: e-mail address -> title."""
    rows = Notification.objects.order_by("id").values_list("recipient__email", "title")
    found: dict[str, str] = {}
    for email, title in rows:
        if not title.startswith(exclude_titles):
            assert email not in found, f"{email} was told twice"
            found[email] = title
    return found


def request_suspension(cast: Cast, user: Any, *, starts_on: dt.date) -> m.StudentStatusChange:
    return student_status.change_student_status(
        user=user,
        student=cast.student,
        action="suspend",
        starts_on=starts_on,
        ends_on=starts_on + dt.timedelta(days=180),
        reason="Illness",
    )


# ---- Requests ------------------------------------------------------------------------------


@pytest.mark.parametrize("requester", ["student", "tutor"])
def test_a_request_tells_the_program_administrators_and_nobody_else(
    cast: Cast, requester: str
) -> None:
    user = cast.student.user if requester == "student" else cast.tutor.user
    change = request_suspension(cast, user, starts_on=days(-2))

    assert told() == {"petra@example.org": "Status request for Stan Student: Suspension of study"}
    note = Notification.objects.get()
    assert note.link == reverse("programs:status-decide", args=[change.pk])
    assert f"{user.full_name} asks for this change of status of Stan Student" in note.body
    assert "Illness" in note.body


def test_an_administrator_of_another_program_is_not_told(cast: Cast) -> None:
    other_admin = UserFactory(email="oscar@example.org")
    grant(other_admin, Role.PROGRAM_ADMIN, ProgramFactory())
    request_suspension(cast, cast.student.user, starts_on=days(-2))

    assert set(told()) == {"petra@example.org"}


# ---- Decisions -----------------------------------------------------------------------------


def test_an_approved_suspension_tells_the_requester_the_student_and_the_tutors(
    cast: Cast,
) -> None:
    change = request_suspension(cast, cast.tutor.user, starts_on=days(-2))
    Notification.objects.all().delete()

    student_status.decide_status_request(
        user=cast.program_admin, change=change, approve=True, note="Get well soon"
    )

    title = "Status request approved: Suspension of study (Stan Student)"
    assert told() == {
        "tom@example.org": title,
        "stan@example.org": title,
        "pia@example.org": title,
    }
    for note in Notification.objects.all():
        assert "Petra Progadmin approved the request of Tom Tutor for Stan Student" in note.body
        assert "Get well soon" in note.body
    assert Notification.objects.get(recipient=cast.student.user).link == (
        reverse("programs:my-plan") + "#status"
    )
    assert Notification.objects.get(recipient=cast.tutor.user).link == (
        reverse("programs:student", args=[cast.student.pk]) + "#status"
    )


def test_a_refused_extension_tells_the_requester_and_the_student_only(cast: Cast) -> None:
    change = student_status.change_student_status(
        user=cast.tutor.user,
        student=cast.student,
        action="extend",
        ends_on=days(900),
        shift_days=30,
        reason="Thesis needs more time",
    )
    Notification.objects.all().delete()

    student_status.decide_status_request(
        user=cast.program_admin, change=change, approve=False, note="Not before the mid-term"
    )

    title = "Status request refused: Extension of study (Stan Student)"
    assert told() == {"tom@example.org": title, "stan@example.org": title}
    assert all("Not before the mid-term" in n.body for n in Notification.objects.all())


def test_a_refusal_without_a_note_tells_nobody(cast: Cast) -> None:
    change = request_suspension(cast, cast.student.user, starts_on=days(-2))
    Notification.objects.all().delete()

    with pytest.raises(ValidationError):
        student_status.decide_status_request(user=cast.program_admin, change=change, approve=False)

    assert told() == {}


# ---- Direct changes ------------------------------------------------------------------------


def test_a_direct_suspension_tells_the_student_and_the_tutors(cast: Cast) -> None:
    request_suspension(cast, cast.program_admin, starts_on=days(-2))

    assert told() == {
        "stan@example.org": "Your status has changed: Suspension of study",
        "tom@example.org": "Status of Stan Student changed: Suspension of study",
        "pia@example.org": "Status of Stan Student changed: Suspension of study",
    }
    body = Notification.objects.get(recipient=cast.tutor.user).body
    assert "Petra Progadmin recorded this change of status of Stan Student" in body


def test_a_change_of_tutor_tells_the_former_and_the_new_tutors(cast: Cast) -> None:
    student_status.change_student_status(
        user=cast.program_admin,
        student=cast.student,
        action="change-tutor",
        tutor=cast.other_tutor,
        reason="Tom retires",
    )

    title = "Status of Stan Student changed: Change of tutor"
    assert told(exclude_titles=("You are now a tutor", "Your supervision")) == {
        "stan@example.org": "Your status has changed: Change of tutor",
        "tom@example.org": title,
        "pia@example.org": title,
        "otis@example.org": title,
    }
    assert (
        "New tutor: Otis Tutor."
        in Notification.objects.get(recipient=cast.tutor.user, title=title).body
    )


def test_the_text_is_in_each_readers_language(cast: Cast) -> None:
    cast.student.user.preferred_language = "zh-hans"
    cast.student.user.save(update_fields=["preferred_language"])
    start = days(-2)
    request_suspension(cast, cast.program_admin, starts_on=start)

    chinese = Notification.objects.get(recipient=cast.student.user).body
    english = Notification.objects.get(recipient=cast.tutor.user).body
    assert f"{start.year}年{start.month}月{start.day}日" in chinese
    assert "年" not in english


def test_nothing_is_sent_when_the_change_is_refused_by_validation(
    cast: Cast, celery_eager: None, django_capture_on_commit_callbacks: Any, mailoutbox: Any
) -> None:
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(ValidationError),
    ):
        student_status.change_student_status(
            user=cast.student.user,
            student=cast.student,
            action="suspend",
            starts_on=days(-2),
            ends_on=None,
            reason="Illness",
        )

    assert (told(), callbacks, mailoutbox) == ({}, [], [])


def test_the_e_mails_leave_after_commit(
    cast: Cast, celery_eager: None, django_capture_on_commit_callbacks: Any, mailoutbox: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        request_suspension(cast, cast.student.user, starts_on=days(-2))

    assert [(mail.to, mail.subject) for mail in mailoutbox] == [
        (["petra@example.org"], "Status request for Stan Student: Suspension of study")
    ]
    change = m.StudentStatusChange.objects.get()
    link = settings.SITE_URL.rstrip("/") + reverse("programs:status-decide", args=[change.pk])
    assert mailoutbox[0].body.endswith(link)


# ---- Suspensions with a future start -------------------------------------------------------


def test_an_approved_future_suspension_waits_for_its_date(cast: Cast) -> None:
    change = request_suspension(cast, cast.student.user, starts_on=days(30))
    student_status.decide_status_request(user=cast.program_admin, change=change, approve=True)

    cast.student.refresh_from_db()
    change.refresh_from_db()
    assert (cast.student.status, change.awaiting_start) == (Status.ACTIVE, True)
    body = Notification.objects.get(recipient=cast.student.user).body
    assert "until then it stays active" in body


def test_a_direct_future_suspension_waits_and_the_page_says_so(cast: Cast) -> None:
    request_suspension(cast, cast.program_admin, starts_on=days(30))

    cast.student.refresh_from_db()
    assert cast.student.status == Status.ACTIVE
    assert Notification.objects.get(recipient=cast.tutor.user).title.startswith(
        "Suspension of Stan Student from "
    )
    form = client_for(cast.program_admin).get(
        reverse("programs:student-status-change", args=[cast.student.pk, "suspend"])
    )
    assert "May be up to a year ahead" in form.content.decode()
    page = client_for(cast.student.user).get(reverse("programs:my-plan"))
    assert page.status_code == 200
    expected = f"Suspension from {date_format(days(30), 'DATE_FORMAT')} approved."
    assert expected in page.content.decode()
    assert 'data-testid="suspension-waiting"' in page.content.decode()


def test_the_daily_run_starts_due_suspensions_once(cast: Cast) -> None:
    change = request_suspension(cast, cast.program_admin, starts_on=days(30))

    assert student_status.start_due_suspensions(today=days(29)) == 0
    assert student_status.start_due_suspensions(today=days(30)) == 1
    assert student_status.start_due_suspensions(today=days(30)) == 0
    assert student_status.start_due_suspensions(today=days(31)) == 0

    cast.student.refresh_from_db()
    change.refresh_from_db()
    assert (cast.student.status, cast.student.status_since) == (Status.SUSPENDED, days(30))
    assert change.awaiting_start is False


def test_the_beat_task_run_twice_suspends_once(cast: Cast, monkeypatch: Any) -> None:
    change = request_suspension(cast, cast.student.user, starts_on=days(3))
    student_status.decide_status_request(user=cast.program_admin, change=change, approve=True)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: days(3))

    first = start_due_suspensions_task.apply().get()
    second = start_due_suspensions_task.apply().get()

    cast.student.refresh_from_db()
    assert (first, second, cast.student.status) == (1, 0, Status.SUSPENDED)
    # Resumption is then measured from the day the suspension began.
    with pytest.raises(ValidationError) as caught:
        student_status.change_student_status(
            user=cast.program_admin,
            student=cast.student,
            action="resume",
            starts_on=days(2),
            reason="Recovered",
        )
    assert "starts_on" in caught.value.message_dict


def test_the_daily_task_is_scheduled() -> None:
    task = PeriodicTask.objects.get(name="Start approved suspensions")
    assert (task.task, task.crontab.hour, task.enabled) == (
        "programs.start_due_suspensions",
        "0",
        True,
    )
    assert "programs.start_due_suspensions" in celery_app.tasks


def test_a_second_suspension_is_refused_while_one_waits(cast: Cast) -> None:
    request_suspension(cast, cast.program_admin, starts_on=days(30))

    with pytest.raises(ValidationError) as caught:
        request_suspension(cast, cast.student.user, starts_on=days(60))

    assert list(caught.value.message_dict) == ["action"]
    assert caught.value.message_dict["action"][0].startswith("A suspension from ")


def test_a_withdrawal_cancels_a_waiting_suspension(cast: Cast) -> None:
    change = request_suspension(cast, cast.program_admin, starts_on=days(30))
    student_status.change_student_status(
        user=cast.program_admin,
        student=cast.student,
        action="withdraw",
        starts_on=TODAY,
        reason="Moved abroad",
    )

    assert student_status.start_due_suspensions(today=days(30)) == 0
    cast.student.refresh_from_db()
    change.refresh_from_db()
    assert (cast.student.status, change.awaiting_start) == (Status.WITHDRAWN, False)


@pytest.mark.parametrize(
    ("action", "extra"),
    [
        ("withdraw", {}),
        ("graduate", {}),
    ],
)
def test_only_a_suspension_may_start_in_the_future(
    cast: Cast, action: str, extra: dict[str, Any]
) -> None:
    with pytest.raises(ValidationError) as caught:
        student_status.change_student_status(
            user=cast.program_admin,
            student=cast.student,
            action=action,
            starts_on=days(1),
            reason="Later",
            **extra,
        )
    assert caught.value.message_dict["starts_on"] == ["The date cannot be in the future."]


def test_a_suspension_may_start_a_year_ahead_but_not_later(cast: Cast) -> None:
    with pytest.raises(ValidationError) as caught:
        request_suspension(cast, cast.student.user, starts_on=days(366))
    assert list(caught.value.message_dict) == ["starts_on"]

    change = request_suspension(cast, cast.student.user, starts_on=days(365))
    assert change.decision == m.StudentStatusChange.Decision.PENDING


def test_a_future_suspension_through_the_api_waits(cast: Cast) -> None:
    url = reverse("api:student-suspend", args=[cast.student.pk])
    body = {"starts_on": days(30), "ends_on": days(200), "reason": "Family"}
    response = api_for(cast.program_admin).post(url, body, format="json")

    assert response.status_code == 200
    assert (response.data["awaiting_start"], response.data["student_status"]) == (True, "active")
    assert set(told()) == {"stan@example.org", "tom@example.org", "pia@example.org"}
