"""Evaluation rounds: opening one (and what each evaluator owes), closing it, telling and
reminding the evaluators, and what a user owes."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import RoleMembership, User
from accounts.roles import Role
from programs.models import Organization, Placement, Program, Student, TutorAssignment
from training_portal.core.history import history_context
from training_portal.core.notifications import notify

from ...models import EvaluationRequest, EvaluationRound, Indicator, Source, SubjectKind
from .. import permissions
from .common import ACTIVE, HUNDRED, REMIND_WITHIN_DAYS, Errors


def _active_user(user_id: int | None, active: set[int]) -> bool:
    return user_id is not None and user_id in active


def _owed(program: Program, sources: set[str], start: dt.date, end: dt.date) -> set[tuple]:
    """(source, evaluator id, subject kind, student, tutor, placement, organisation) of every
    evaluation the round asks for: one query per source, none per student."""
    wanted: set[tuple[Any, ...]] = set()
    students = Student.objects.filter(program=program, status=ACTIVE)
    current = TutorAssignment.objects.filter(
        student__program=program, student__status=ACTIVE, ended_on__isnull=True
    )
    in_period = Placement.objects.filter(
        student__program=program,
        student__status=ACTIVE,
        start_date__lte=end,
        end_date__gte=start,
    ).exclude(status=Placement.Status.CANCELLED)
    student_kind, tutor_kind = SubjectKind.STUDENT, SubjectKind.TUTOR
    for source, role in ((Source.TUTOR, "academic"), (Source.PRACTICE_TUTOR, "practice")):
        if source in sources:
            for tutor_user, student in current.filter(role=role).values_list(
                "tutor__user_id", "student_id"
            ):
                wanted.add((source, tutor_user, student_kind, student, None, None, None))
    if Source.COORDINATOR in sources:
        coordinators = (
            RoleMembership.objects.current()
            .of_role(Role.PARTNER_COORDINATOR)
            .scoped_by(Organization)
            .filter(scope_id__in=in_period.values("host_id"))
            .values_list("scope_id", "user_id")
        )
        by_host: dict[int, set[int]] = defaultdict(set)
        for host, user in coordinators:
            if host is not None:
                by_host[host].add(user)
        for host, student in in_period.values_list("host_id", "student_id"):
            for user in by_host.get(host, ()):
                wanted.add((Source.COORDINATOR, user, student_kind, student, None, None, None))
    if Source.SELF in sources:
        for student, user in students.values_list("pk", "user_id"):
            wanted.add((Source.SELF, user, student_kind, student, None, None, None))
    if Source.STUDENT_ON_TUTOR in sources:
        for user, tutor in current.values_list("student__user_id", "tutor_id"):
            wanted.add((Source.STUDENT_ON_TUTOR, user, tutor_kind, None, tutor, None, None))
    if Source.STUDENT_ON_PLACEMENT in sources:
        for user, placement in in_period.values_list("student__user_id", "pk"):
            wanted.add(
                (
                    Source.STUDENT_ON_PLACEMENT,
                    user,
                    SubjectKind.PLACEMENT,
                    None,
                    None,
                    placement,
                    None,
                )
            )
    if Source.INSPECTOR in sources:
        from supervision.models import InspectionAssignment

        for user in (
            InspectionAssignment.objects.current()
            .filter(program=program)
            .values_list("inspector_id", flat=True)
        ):
            wanted.add((Source.INSPECTOR, user, SubjectKind.PROGRAM, None, None, None, None))
    return wanted


@dataclass(frozen=True)
class _RoundDraft:
    """What the opener of a round gave: the title stripped, the sources without repeats."""

    title: str
    period_start: dt.date | None
    period_end: dt.date | None
    deadline: dt.date | None
    sources: list[str]

    def errors(self, program: Program) -> Errors:
        errors: Errors = {}
        if not self.title:
            errors["title"] = [_("Give the round a title.")]
        if self.period_start is None:
            errors["period_start"] = [_("Give the start of the period.")]
        if self.period_end is None:
            errors["period_end"] = [_("Give the end of the period.")]
        elif self.period_start is not None and self.period_end < self.period_start:
            errors["period_end"] = [_("The period must end on or after its start.")]
        if self.deadline is None:
            errors["deadline"] = [_("Give the deadline.")]
        elif self.deadline < timezone.localdate():
            errors["deadline"] = [_("The deadline cannot be in the past.")]
        elif self.period_start is not None and self.deadline < self.period_start:
            errors["deadline"] = [_("The deadline cannot be before the period starts.")]
        unknown = [s for s in self.sources if s not in Source.values]
        if not self.sources or unknown:
            errors["sources"] = [_("Choose at least one source among those offered.")]
        weights = Indicator.objects.filter(program=program).values_list("weight", flat=True)
        if sum(weights, Decimal(0)) != HUNDRED:
            errors[NON_FIELD_ERRORS] = [
                _("Define the program's indicators (weights adding up to 100 %) first.")
            ]
        return errors


@transaction.atomic
def open_round(
    *,
    user: User,
    program: Program,
    title: str,
    period_start: dt.date | None,
    period_end: dt.date | None,
    deadline: dt.date | None,
    sources: Sequence[str],
) -> EvaluationRound:
    """Open a round and create what each evaluator owes from the program's current data; the
    evaluators are told once the round is committed."""
    if not permissions.can_open_round(user, program):
        raise PermissionDenied
    title = (title or "").strip()
    chosen = list(dict.fromkeys(str(s) for s in sources or ()))
    errors = _RoundDraft(title, period_start, period_end, deadline, chosen).errors(program)
    if errors or period_start is None or period_end is None or deadline is None:
        raise ValidationError(errors)
    ordered = [s for s in Source.values if s in chosen]
    with history_context(user=user.pk):
        round_ = EvaluationRound.objects.create(
            program=program,
            title=title[:200],
            period_start=period_start,
            period_end=period_end,
            deadline=deadline,
            sources=ordered,
            opened_by=user,
        )
        wanted = _owed(program, set(ordered), period_start, period_end)
        active = set(
            User.objects.filter(pk__in={row[1] for row in wanted}, is_active=True).values_list(
                "pk", flat=True
            )
        )
        EvaluationRequest.objects.bulk_create(
            [
                EvaluationRequest(
                    round=round_,
                    source=source,
                    evaluator_id=evaluator,
                    subject_kind=kind,
                    student_id=student,
                    tutor_id=tutor,
                    placement_id=placement,
                    organization_id=organization,
                )
                for source, evaluator, kind, student, tutor, placement, organization in sorted(
                    wanted, key=lambda row: tuple(str(v) for v in row)
                )
                if _active_user(evaluator, active)
            ],
            batch_size=2000,
        )
    from ..tasks import notify_round_opened_task

    transaction.on_commit(partial(notify_round_opened_task.delay, round_.pk))
    return round_


@transaction.atomic
def close_round(*, user: User, round_: EvaluationRound) -> EvaluationRound:
    """Close an open round: nothing more can be submitted; students then see what their
    tutors said about them."""
    if not permissions.can_manage_round(user, round_):
        raise PermissionDenied
    with history_context(user=user.pk):
        closed = EvaluationRound.objects.filter(
            pk=round_.pk, status=EvaluationRound.Status.OPEN
        ).update(status=EvaluationRound.Status.CLOSED, closed_at=timezone.now())
    if not closed:
        raise ValidationError({NON_FIELD_ERRORS: [_("This round is already closed.")]})
    round_.refresh_from_db()
    return round_


def _link(name: str, *args: Any) -> str:
    return reverse(f"evaluations:{name}", args=list(args))


def notify_round_opened(round_id: int) -> int:
    """Tell each evaluator of a round, once per round, what they owe. Returns how many."""
    round_ = EvaluationRound.objects.select_related("program").filter(pk=round_id).first()
    if round_ is None or round_.status != EvaluationRound.Status.OPEN:
        return 0
    counts = dict(
        EvaluationRequest.objects.filter(round=round_, reminded_at__isnull=True)
        .values_list("evaluator_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    told = 0
    for evaluator in User.objects.filter(pk__in=counts, is_active=True).order_by("pk"):
        with transaction.atomic():
            # The first notice counts as the first reminder: a rerun tells nobody twice.
            claimed = EvaluationRequest.objects.filter(
                round=round_, evaluator=evaluator, reminded_at__isnull=True
            ).update(reminded_at=timezone.now())
            if not claimed:
                continue
            notify(
                recipient=evaluator,
                template="evaluation/evaluations/notifications/round_opened",
                context={
                    "round": {
                        "title": round_.title,
                        "deadline": round_.deadline,
                        "program": {"code": round_.program.code},
                    },
                    "count": counts[evaluator.pk],
                },
                link=_link("mine"),
            )
            told += 1
    return told


def send_reminders(now: dt.datetime | None = None) -> int:
    """Remind evaluators of pending requests of open rounds due within `REMIND_WITHIN_DAYS`
    days or overdue, at most once a day per request. Returns how many were reminded."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    start_of_day = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    due = EvaluationRequest.objects.pending().filter(
        Q(reminded_at__isnull=True) | Q(reminded_at__lt=start_of_day),
        round__status=EvaluationRound.Status.OPEN,
        round__deadline__lte=today + dt.timedelta(days=REMIND_WITHIN_DAYS),
        evaluator__is_active=True,
    )
    evaluators = sorted(set(due.values_list("evaluator_id", flat=True)))
    reminded = 0
    for evaluator in User.objects.filter(pk__in=evaluators).order_by("pk"):
        with transaction.atomic():
            # Only the requests are locked (a concurrent run skips them), not their rounds.
            mine = list(
                due.filter(evaluator=evaluator)
                .select_related("round")
                .select_for_update(skip_locked=True, of=("self",))
            )
            if not mine:
                continue
            EvaluationRequest.objects.filter(pk__in=[r.pk for r in mine]).update(reminded_at=now)
            deadline = min(r.round.deadline for r in mine)
            notify(
                recipient=evaluator,
                template="evaluation/evaluations/notifications/reminder",
                context={"count": len(mine), "deadline": deadline, "overdue": deadline < today},
                link=_link("mine"),
            )
            reminded += 1
    return reminded


# ---- What a user owes ----------------------------------------------------------------------


def owed_by(user: Any) -> QuerySet[EvaluationRequest]:
    """The pending requests of open rounds `user` owes, with what their rows show."""
    return (
        EvaluationRequest.objects.pending()
        .filter(evaluator=user, round__status=EvaluationRound.Status.OPEN)
        .select_related(
            "round__program",
            "student__user",
            "tutor__user",
            "placement__host",
            "organization",
        )
        .order_by("round__deadline", "round_id", "source", "pk")
    )
