"""Demo data of a student's status and a program element's life after the MIT-2025 demo
(`programs.demo`) is loaded: one student suspended, one graduated with a destination, one
suspension asked for and not yet decided, and one course retired from the curriculum.

Each is its own `seed_once` piece, made through the services as people would (the student or
a tutor asks, the program administrator decides; the tutor signs off the milestones before
the graduation; the administrator removes the course, which is retired because a plan holds
it). `seed_demo` loads them after the rest of the demo, so that the evaluation round, the
ledger and the inspections were made while these students were still active.

- Guo Rui (`guo.rui@`, academic tutor Chen Hui, EFH placement cancelled, so that
  `coordinator@` sees the student too) was suspended for two months in the first term and
  resumed, which moved the open milestones by the length of that suspension; a second
  suspension, asked for by the student and approved, runs from two weeks ago to about six
  months ahead.
- Xu Ying (`xu.ying@`, who led the completed MR motion-correction project) has every
  milestone signed off, graduated a week ago and recorded her destination; the follow-up
  falls due a year after the degree.
- Zhu Wei (`zhu.wei@`, supervised by `tutor@`): `tutor@` asked for a suspension starting in
  three weeks; it waits for `progadmin@`'s decision.
- MIT-302 "AI in Radiology" is retired from the MIT-2025 curriculum: `student@`'s draft plan
  version 2 holds it, so removing it retires it rather than deleting it.

Each piece does nothing when what it needs is gone or has changed (the student is no longer
active, the course already retired): an old database that users have worked in is left
alone. The status changes' request and decision times are set back to their dates, as the
rest of the demo's history is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from training_portal.core.seeding import seed_once

from . import models as m
from .demo import PROGRAM_CODE
from .design import services as elements
from .design.permissions import can_manage_program
from .people.permissions import can_decide_student_status, can_request_student_status
from .people.services import student_status
from .training.services import training

SUSPENDED = "guo.rui@demo.example"
GRADUATED = "xu.ying@demo.example"
REQUESTING = "zhu.wei@demo.example"
RETIRED_COURSE = "MIT-302"
PROGRAM_ADMIN = "progadmin@demo.example"
REQUESTING_TUTOR = "tutor@demo.example"

Status = m.Student.Status
Kind = m.StudentStatusChange.Kind


def seed_lifecycle_demo() -> None:
    """Load each piece once (see the module's docstring), in the order of `PIECES`."""
    for name, seed, already_there in _LOADS:
        seed_once(name, seed, already_there=already_there)


# ---- What an older load (or a user) did already -------------------------------------------


def _has_changes(email: str) -> Callable[[], bool]:
    def found() -> bool:
        return m.StudentStatusChange.objects.filter(student__user__email__iexact=email).exists()

    return found


def _course_retired() -> bool:
    return m.ProgramCourse.objects.filter(
        program__code=PROGRAM_CODE, course__code=RETIRED_COURSE, retired_at__isnull=False
    ).exists()


# ---- Helpers ---------------------------------------------------------------------------------


def _user(email: str) -> User | None:
    return User.objects.with_email(email).filter(is_active=True).first()


def _active_student(email: str) -> m.Student | None:
    return (
        m.Student.objects.filter(
            user__email__iexact=email, program__code=PROGRAM_CODE, status=Status.ACTIVE
        )
        .select_related("user", "program")
        .first()
    )


def _admin_of(student: m.Student) -> User | None:
    admin = _user(PROGRAM_ADMIN)
    if admin is None or not can_decide_student_status(admin, student):
        return None
    return admin


def _day(offset: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=offset)


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    """A moment on `day`, never later than now."""
    moment = dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone())
    return min(moment, timezone.now())


def _dated(change: m.StudentStatusChange, *, asked: dt.date, decided: dt.date | None) -> None:
    """Set the request and decision back to their days."""
    values: dict[str, dt.datetime] = {"requested_at": _at(asked, 9)}
    if decided is not None:
        values["decided_at"] = _at(decided, 15)
    m.StudentStatusChange.objects.filter(pk=change.pk).update(**values)


# ---- The pieces ------------------------------------------------------------------------------


@transaction.atomic
def _suspended() -> None:
    student = _active_student(SUSPENDED)
    admin = _admin_of(student) if student else None
    if student is None or admin is None:
        return
    # The first term: two months off, then back; the open milestones move by those two months.
    first_start = min(student.enrolled_on + dt.timedelta(days=60), _day(-200))
    first_start = max(first_start, student.enrolled_on)
    first_end = first_start + dt.timedelta(days=61)
    first = student_status.change_student_status(
        user=student.user,
        student=student,
        action="suspend",
        reason="Surgery (knee ligament) and recovery; the doctor's certificate is on file.",
        starts_on=first_start,
        ends_on=first_end,
    )
    student_status.decide_status_request(
        user=admin, change=first, approve=True, note="Certificate seen."
    )
    _dated(first, asked=first_start - dt.timedelta(days=10), decided=first_start - dt.timedelta(7))
    back = student_status.change_student_status(
        user=admin,
        student=student,
        action="resume",
        reason="Recovered; the doctor's clearance is on file.",
        starts_on=first_end,
    )
    _dated(back, asked=first_end, decided=first_end)
    # Now: suspended from two weeks ago; the EFH placement that was to start was cancelled.
    second = student_status.change_student_status(
        user=student.user,
        student=student,
        action="suspend",
        reason="Family reasons: caring for a parent after an operation. The clinical placement "
        "at Eastbridge First Hospital is cancelled and will be planned again on return.",
        starts_on=_day(-14),
        ends_on=_day(166),
    )
    student_status.decide_status_request(
        user=admin,
        change=second,
        approve=True,
        note="Approved for one semester; tell the programme office a month before returning.",
    )
    _dated(second, asked=_day(-24), decided=_day(-20))


@transaction.atomic
def _graduated() -> None:
    student = _active_student(GRADUATED)
    admin = _admin_of(student) if student else None
    if student is None or admin is None:
        return
    tutor_profile = (
        m.TutorProfile.objects.filter(
            assignments__student=student,
            assignments__role=m.TutorProfile.Kind.ACADEMIC,
            assignments__ended_on__isnull=True,
        )
        .select_related("user")
        .first()
    )
    if tutor_profile is None:
        return
    open_milestones = list(
        m.Milestone.objects.filter(student=student, signed_off_at__isnull=True).order_by(
            "due_date", "id"
        )
    )
    # Finished ahead of schedule: the last milestones signed off a few weeks apart.
    for n, milestone in enumerate(open_milestones):
        done = milestone.completed_on or _day(-14 - 12 * (len(open_milestones) - 1 - n))
        training.sign_off_milestone(
            user=tutor_profile.user,
            milestone=milestone,
            completed_on=max(done, student.enrolled_on),
            evidence=milestone.evidence or f"{milestone.title}: minutes of the committee on file.",
        )
    graduation = student_status.change_student_status(
        user=admin,
        student=student,
        action="graduate",
        reason="Thesis defended; degree conferred by the university's degree committee.",
        starts_on=_day(-7),
    )
    _dated(graduation, asked=_day(-7), decided=_day(-7))
    student_status.record_destination(
        user=student.user,
        student=student,
        employer="Eastbridge First Hospital, Department of Radiology",
        kind=m.GraduateDestination.Kind.HOSPITAL,
        region="Shanghai",
        relevance=m.GraduateDestination.Relevance.DIRECT,
    )


@transaction.atomic
def _requested() -> None:
    student = _active_student(REQUESTING)
    tutor = _user(REQUESTING_TUTOR)
    if student is None or tutor is None or not can_request_student_status(tutor, student):
        return
    request = student_status.change_student_status(
        user=tutor,
        student=student,
        action="suspend",
        reason="Zhu Wei is to be admitted for a course of treatment lasting about six months; "
        "the hospital's letter is attached to the student's file.",
        starts_on=_day(21),
        ends_on=_day(200),
    )
    _dated(request, asked=_day(-2), decided=None)


@transaction.atomic
def _retired_course() -> None:
    entry = (
        m.ProgramCourse.objects.filter(
            program__code=PROGRAM_CODE, course__code=RETIRED_COURSE, retired_at__isnull=True
        )
        .select_related("program", "course")
        .first()
    )
    admin = _user(PROGRAM_ADMIN)
    if entry is None or admin is None:
        return
    if not can_manage_program(admin, entry.program):
        return
    # Retired, not deleted: a plan holds the course (removal_of says which it will be).
    if elements.removal_of(entry).action != "retire":
        return
    elements.remove_element(user=admin, element=entry)


# (demo data record, seeder, whether an older load or a user did it already)
_LOADS: tuple[tuple[str, Callable[[], None], Callable[[], bool]], ...] = (
    ("programs-suspended-student", _suspended, _has_changes(SUSPENDED)),
    ("programs-graduated-student", _graduated, _has_changes(GRADUATED)),
    ("programs-status-request", _requested, _has_changes(REQUESTING)),
    ("programs-retired-course", _retired_course, _course_retired),
)
#: The names of the pieces' demo data records, in the order they are loaded.
PIECES = tuple(name for name, _seed, _found in _LOADS)
