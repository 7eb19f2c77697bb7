"""Pages on one record: editing and correcting a log, signing off a milestone, asking for a
quick sign-off link, and the log form that records cases with the log."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from programs import models as m
from programs.training.services import logs
from tests.cast import Cast
from tests.files import pdf_bytes
from tests.queries import assert_flat_queries

from .factories import ProgressLogFactory
from .test_pages import client_for, member

pytestmark = pytest.mark.django_db

CAST = [
    "program_admin",
    "coordinator",
    "tutor",
    "practice_tutor",
    "student",
    "other_student",
    "outsider",
    "anonymous",
]


def _log_by(cast: Cast, author: Any, **fields: Any) -> m.ProgressLog:
    return logs.write_progress_log(
        user=author,
        student=cast.student,
        date=timezone.localdate(),
        kind=m.ProgressLog.Kind.MEETING,
        minutes=30,
        summary=fields.pop("summary", "Reviewed the CT protocol."),
        **fields,
    )


def _milestone(cast: Cast, title: str = "Proposal defence") -> m.Milestone:
    return m.Milestone.objects.create(
        student=cast.student,
        kind="proposal",
        title=title,
        due_date=cast.student.enrolled_on + dt.timedelta(days=200),
    )


def _age(log: m.ProgressLog, hours: int) -> None:
    m.ProgressLog.objects.filter(pk=log.pk).update(
        created_at=timezone.now() - dt.timedelta(hours=hours)
    )
    log.refresh_from_db()


# ---- The log form records cases too --------------------------------------------------------


def test_one_session_is_a_log_and_case_evidence_typed_once(cast: Cast) -> None:
    client = client_for(cast.practice_tutor.user)
    response = client.post(
        reverse("programs:log-create", args=[cast.student.pk]),
        {
            "date": timezone.localdate().isoformat(),
            "kind": "clinical",
            "minutes": "60",
            "summary": "Supervised CT reading.",
            "shared": "on",
            "placement": cast.placement.pk,
            "case_1_modality": "ct",
            "case_1_procedure": "Chest CT",
            "case_1_count": "4",
            "case_1_role": "performed",
            "case_2_modality": "mr",
            "case_2_procedure": "Knee MR",
            "case_2_count": "2",
            "case_2_role": "observed",
        },
    )
    assert response.status_code == 302
    log = m.ProgressLog.objects.get(student=cast.student)
    cases = {c.modality: c for c in m.CaseLog.objects.filter(progress_log=log)}
    assert {k: (c.count, c.role) for k, c in cases.items()} == {
        "ct": (4, "performed"),
        "mr": (2, "observed"),
    }
    # The placement's practice tutor wrote it: the cases are verified at once.
    assert all(c.verified_by == cast.practice_tutor.user for c in cases.values())


def test_a_half_filled_case_row_is_a_field_error_and_saves_nothing(cast: Cast) -> None:
    response = client_for(cast.tutor.user).post(
        reverse("programs:log-create", args=[cast.student.pk]),
        {
            "date": timezone.localdate().isoformat(),
            "kind": "meeting",
            "minutes": "30",
            "summary": "Talked.",
            "case_1_modality": "ct",
            "case_1_count": "",
            "case_1_role": "",
        },
    )
    assert response.status_code == 200
    form = response.context["log_form"]
    assert {"case_1_procedure", "case_1_count", "case_1_role"} <= set(form.errors)
    assert "Fill in the modality, the procedure, the number and the role." in (
        response.content.decode()
    )
    assert not m.ProgressLog.objects.exists() and not m.CaseLog.objects.exists()


def test_a_future_log_date_is_a_field_error(cast: Cast) -> None:
    response = client_for(cast.tutor.user).post(
        reverse("programs:log-create", args=[cast.student.pk]),
        {
            "date": (timezone.localdate() + dt.timedelta(days=3)).isoformat(),
            "kind": "meeting",
            "minutes": "30",
            "summary": "Talked.",
        },
    )
    assert response.status_code == 200
    assert "date" in response.context["log_form"].errors
    assert not m.ProgressLog.objects.exists()


# ---- Edit within 48 hours, then a correction ------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("tutor", 200),  # the author
        ("practice_tutor", 403),  # sees the log, did not write it
        ("program_admin", 403),
        ("student", 403),
        ("coordinator", 404),
        ("other_student", 404),
        ("outsider", 404),
        ("anonymous", 302),
    ],
)
def test_log_page_by_role(cast: Cast, who: str, status: int) -> None:
    log = _log_by(cast, cast.tutor.user)
    response = client_for(member(cast, who)).get(reverse("programs:log-edit", args=[log.pk]))
    assert response.status_code == status


def test_the_author_edits_within_the_window(cast: Cast) -> None:
    log = _log_by(cast, cast.tutor.user)
    client = client_for(cast.tutor.user)
    page = client.get(reverse("programs:log-edit", args=[log.pk]))
    assert page.context["edit_form"] is not None and page.context["correction_form"] is None
    response = client.post(
        reverse("programs:log-edit", args=[log.pk]),
        {
            "date": log.date.isoformat(),
            "kind": "meeting",
            "minutes": "50",
            "summary": "Reviewed the CT protocol and the MR schedule.",
            "shared": "on",
        },
    )
    assert response.status_code == 302
    log.refresh_from_db()
    assert log.minutes == 50 and "MR schedule" in log.summary


def test_bad_edit_input_is_a_field_error_and_changes_nothing(cast: Cast) -> None:
    log = _log_by(cast, cast.tutor.user)
    response = client_for(cast.tutor.user).post(
        reverse("programs:log-edit", args=[log.pk]),
        {"date": "31/02/2026", "kind": "meeting", "minutes": "-5", "summary": ""},
    )
    assert response.status_code == 200
    errors = response.context["edit_form"].errors
    assert {"date", "minutes", "summary"} <= set(errors)
    log.refresh_from_db()
    assert log.minutes == 30


def test_after_48_hours_only_a_correction_is_possible(cast: Cast) -> None:
    log = _log_by(cast, cast.tutor.user)
    _age(log, 49)
    client = client_for(cast.tutor.user)
    page = client.get(reverse("programs:log-edit", args=[log.pk]))
    assert page.context["edit_form"] is None and page.context["correction_form"] is not None
    late_edit = client.post(
        reverse("programs:log-edit", args=[log.pk]),
        {"date": log.date.isoformat(), "kind": "meeting", "minutes": "90", "summary": "Changed"},
    )
    assert late_edit.status_code == 200
    assert "can no longer be edited" in late_edit.content.decode()
    log.refresh_from_db()
    assert log.minutes == 30

    empty = client.post(reverse("programs:log-correction", args=[log.pk]), {"text": "  "})
    assert empty.status_code == 200 and empty.context["correction_form"].errors
    assert not log.corrections.exists()
    done = client.post(
        reverse("programs:log-correction", args=[log.pk]), {"text": "It was 40 minutes."}
    )
    assert done.status_code == 302
    assert [c.text for c in log.corrections.all()] == ["It was 40 minutes."]
    student_page = client.get(reverse("programs:student", args=[cast.student.pk]))
    assert "It was 40 minutes." in student_page.content.decode()


def test_a_correction_within_the_window_is_refused(cast: Cast) -> None:
    log = _log_by(cast, cast.tutor.user)
    response = client_for(cast.tutor.user).post(
        reverse("programs:log-correction", args=[log.pk]), {"text": "Too early."}
    )
    assert response.status_code == 200
    assert "edit it instead" in response.content.decode()
    assert not log.corrections.exists()


def test_only_the_author_may_correct(cast: Cast) -> None:
    log = _log_by(cast, cast.tutor.user)
    _age(log, 49)
    response = client_for(cast.practice_tutor.user).post(
        reverse("programs:log-correction", args=[log.pk]), {"text": "Not mine."}
    )
    assert response.status_code == 403
    assert not log.corrections.exists()


# ---- Milestone sign-off --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("tutor", 200),
        ("practice_tutor", 200),
        ("program_admin", 403),
        ("student", 403),
        ("coordinator", 404),
        ("other_student", 404),
        ("outsider", 404),
        ("anonymous", 302),
    ],
)
def test_milestone_sign_off_page_by_role(cast: Cast, who: str, status: int) -> None:
    milestone = _milestone(cast)
    url = reverse("programs:milestone-sign-off", args=[milestone.pk])
    assert client_for(member(cast, who)).get(url).status_code == status


def test_a_tutor_signs_off_a_milestone_with_evidence(cast: Cast) -> None:
    milestone = _milestone(cast)
    pdf = SimpleUploadedFile("report.pdf", pdf_bytes(), content_type="application/pdf")
    response = client_for(cast.tutor.user).post(
        reverse("programs:milestone-sign-off", args=[milestone.pk]),
        {
            "completed_on": timezone.localdate().isoformat(),
            "evidence": "Defended before the committee.",
            "evidence_file": pdf,
        },
    )
    assert response.status_code == 302
    milestone.refresh_from_db()
    assert milestone.signed_off_by == cast.tutor.user
    assert milestone.completed_on == timezone.localdate()
    assert milestone.evidence_file.name.endswith(".pdf")
    page = client_for(cast.student.user).get(reverse("programs:my-plan")).content.decode()
    assert "Signed off by Tom Tutor" in page


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"completed_on": "2999-01-01"}, "completed_on"),
        ({"completed_on": "2000-01-01"}, "completed_on"),  # before enrolment
        ({"completed_on": "not a date"}, "completed_on"),
        (
            {"evidence_file": SimpleUploadedFile("report.pdf", b"MZ\x90\x00 an exe")},
            "evidence_file",
        ),
    ],
)
def test_bad_sign_off_input_is_a_field_error(cast: Cast, data: dict[str, Any], field: str) -> None:
    milestone = _milestone(cast)
    payload = {"completed_on": timezone.localdate().isoformat(), "evidence": "", **data}
    response = client_for(cast.tutor.user).post(
        reverse("programs:milestone-sign-off", args=[milestone.pk]), payload
    )
    assert response.status_code == 200
    assert field in response.context["form"].errors
    milestone.refresh_from_db()
    assert milestone.signed_off_at is None and not milestone.evidence_file


def test_a_milestone_is_signed_off_once(cast: Cast) -> None:
    milestone = _milestone(cast)
    url = reverse("programs:milestone-sign-off", args=[milestone.pk])
    today = timezone.localdate().isoformat()
    assert client_for(cast.tutor.user).post(url, {"completed_on": today}).status_code == 302
    again = client_for(cast.practice_tutor.user).post(url, {"completed_on": today})
    assert again.status_code == 200
    assert "already signed off" in again.content.decode()
    milestone.refresh_from_db()
    assert milestone.signed_off_by == cast.tutor.user


# ---- Asking for a quick sign-off link ------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("student", 302),
        ("tutor", 302),
        ("practice_tutor", 302),
        ("program_admin", 302),
        ("coordinator", 404),  # hosts a placement, does not see the milestones
        ("other_student", 404),
        ("outsider", 404),
        ("anonymous", 302),
    ],
)
def test_signoff_request_by_role(
    cast: Cast, who: str, status: int, django_capture_on_commit_callbacks: Any
) -> None:
    milestone = _milestone(cast)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(member(cast, who)).post(
            reverse("programs:signoff-request", args=["milestone", milestone.pk]),
            {"tutor": cast.practice_tutor.user.pk},
        )
    assert response.status_code == status
    # The practice tutor is sent back with an error: nobody sends a sign-off link to oneself.
    sent = who in {"student", "tutor", "program_admin"}
    assert m.SignOffToken.objects.exists() is sent
    assert len(mail.outbox) == (1 if sent else 0)
    if sent:
        assert mail.outbox[0].to == [cast.practice_tutor.user.email]


def test_a_link_is_sent_only_to_a_practice_tutor_of_the_student(cast: Cast) -> None:
    log = _log_by(cast, cast.tutor.user)
    client = client_for(cast.student.user)
    response = client.post(
        reverse("programs:signoff-request", args=["log", log.pk]),
        {"tutor": cast.tutor.user.pk},  # the academic tutor: not offered, not accepted
        follow=True,
    )
    assert response.status_code == 200
    assert (
        "This choice is not available (any more); pick one from the list."
        in response.content.decode()
    )
    assert not m.SignOffToken.objects.exists() and mail.outbox == []


def test_unknown_kind_is_404(cast: Cast) -> None:
    log = _log_by(cast, cast.tutor.user)
    response = client_for(cast.student.user).post(
        reverse("programs:signoff-request", args=["plan", log.pk]),
        {"tutor": cast.practice_tutor.user.pk},
    )
    assert response.status_code == 404


def test_the_student_sees_who_confirmed_a_log_through_the_link(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    log = _log_by(cast, cast.tutor.user, summary="Shared log to confirm.")
    student = client_for(cast.student.user)
    with django_capture_on_commit_callbacks(execute=True):
        student.post(
            reverse("programs:signoff-request", args=["log", log.pk]),
            {"tutor": cast.practice_tutor.user.pk},
        )
    link = next(line for line in mail.outbox[0].body.splitlines() if "/signoff/" in line)
    path = link[link.index("/signoff/") :].strip()
    assert Client().post(path).status_code == 200
    page = student.get(reverse("programs:my-plan")).content.decode()
    assert "Confirmed by Pia Practice" in page
    assert Client().post(path).status_code == 410


# ---- Query counts --------------------------------------------------------------------------


def test_log_page_query_count_is_flat(cast: Cast) -> None:
    log = _log_by(cast, cast.tutor.user)
    _age(log, 49)
    client = client_for(cast.tutor.user)

    def more_corrections() -> None:
        for n in range(30):
            m.ProgressLogCorrection.objects.create(log=log, author=cast.tutor.user, text=f"c{n}")

    m.ProgressLogCorrection.objects.create(log=log, author=cast.tutor.user, text="first")
    assert_flat_queries(
        lambda: client.get(reverse("programs:log-edit", args=[log.pk])),
        more_corrections,
        max_queries=12,
    )


def test_student_page_with_corrections_and_confirmations_is_flat(cast: Cast) -> None:
    client = client_for(cast.tutor.user)
    url = reverse("programs:student", args=[cast.student.pk])

    def grow() -> None:
        for n in range(20):
            log = ProgressLogFactory(student=cast.student, author=cast.tutor.user)
            m.ProgressLogCorrection.objects.create(log=log, author=cast.tutor.user, text=f"c{n}")
            _milestone(cast, title=f"Milestone {n}")

    ProgressLogFactory(student=cast.student, author=cast.practice_tutor.user)
    _milestone(cast)
    assert_flat_queries(lambda: client.get(url), grow, max_queries=32)


@pytest.mark.parametrize(
    ("language", "signed", "confirmed"),
    [
        ("en", "Signed off by Tom Tutor on 5 March 2026", "on 6 March 2026, 09:30"),
        ("zh-hans", "已由 Tom Tutor 于 2026年3月5日 确认", "于 2026年3月6日 09:30 确认"),
    ],
)
def test_sign_offs_are_dated_in_the_readers_language(
    cast: Cast, language: str, signed: str, confirmed: str
) -> None:
    """Sentences name their dates as the language writes them, not as ISO 2026-03-05."""
    moment = timezone.make_aware(dt.datetime(2026, 3, 5, 10, 0))
    milestone = _milestone(cast)
    m.Milestone.objects.filter(pk=milestone.pk).update(
        completed_on=moment.date(), signed_off_by=cast.tutor.user, signed_off_at=moment
    )
    log = _log_by(cast, cast.tutor.user)
    m.ProgressLog.objects.filter(pk=log.pk).update(
        confirmed_by=cast.tutor.user,
        confirmed_at=timezone.make_aware(dt.datetime(2026, 3, 6, 9, 30)),
    )
    cast.student.user.preferred_language = language
    cast.student.user.save(update_fields=["preferred_language"])
    page = client_for(cast.student.user).get(reverse("programs:my-plan")).content.decode()
    assert signed in page
    assert confirmed in page
    assert "2026-03-05" not in page
    assert "2026-03-06" not in page
