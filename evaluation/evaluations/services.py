"""Indicators, evaluation rounds, submitting evaluations, reminders and the aggregates.

Anonymous sources (student on tutor, student on placement) answer into `AnonymousAnswer`
rows that carry no author, no timestamp and no sequential id; the request stays the receipt
("answered"), and never points at the answer. An answer about a placement is stored about
the host organisation (the placement would name its student, hence its author).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Avg, Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import RoleMembership, User
from accounts.roles import Role
from programs.models import (
    Organization,
    Placement,
    Program,
    Student,
    TrainingObjective,
    TutorAssignment,
)
from training_portal.core.history import history_context
from training_portal.core.notifications import notify

from ..models import (
    ANONYMOUS_SOURCES,
    AnonymousAnswer,
    Evaluation,
    EvaluationRequest,
    EvaluationRound,
    Indicator,
    Score,
    Source,
    SubjectKind,
)
from . import permissions

__all__ = [
    "COMMENT_MAX_LENGTH",
    "REMIND_WITHIN_DAYS",
    "RoundResults",
    "close_round",
    "min_anonymous",
    "open_round",
    "owed_by",
    "round_results",
    "save_indicators",
    "send_reminders",
    "subject_label",
    "submit_evaluation",
    "weighted_total",
]

Errors = dict[str, list[str]]
TWO_PLACES = Decimal("0.01")
HUNDRED = Decimal(100)
COMMENT_MAX_LENGTH = 4000
#: Reminders go out for requests due within this many days (and for overdue ones).
REMIND_WITHIN_DAYS = 3
ACTIVE = Student.Status.ACTIVE


def min_anonymous() -> int:
    return int(settings.EVALUATION_MIN_ANONYMOUS)


def subject_label(item: Any) -> str:
    """What an evaluation, request or answer is about, for people (its subject's objects
    should be selected with it)."""
    kind = SubjectKind(item.subject_kind)
    if kind == SubjectKind.STUDENT:
        return str(item.student)
    if kind == SubjectKind.TUTOR:
        return str(item.tutor.user)
    if kind == SubjectKind.PLACEMENT:
        return str(item.placement.host)
    if kind == SubjectKind.PARTNER:
        return str(item.organization)
    return str(item.round.program)


# ---- Indicators ----------------------------------------------------------------------------

INDICATOR_FIELDS = (
    "category",
    "objective",
    "name",
    "description",
    "weight",
    "scale_min",
    "scale_max",
    "position",
)


def _decimal(value: Any) -> Decimal | None:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _used_indicator_ids(program: Program) -> set[int]:
    """Indicators already scored, by a named evaluation or in an anonymous answer."""
    used = set(
        Score.objects.filter(indicator__program=program).values_list("indicator_id", flat=True)
    )
    for scores in AnonymousAnswer.objects.filter(round__program=program).values_list(
        "scores", flat=True
    ):
        used.update(int(key) for key in scores)
    return used


@dataclass
class _Row:
    index: int
    instance: Indicator
    errors: Errors = field(default_factory=dict)


def _row_errors(program: Program, index: int, data: Mapping[str, Any], existing: Any) -> _Row:
    instance = existing or Indicator(program=program)
    errors: Errors = {}
    category = str(data.get("category") or "")
    if category not in Indicator.Category.values:
        errors["category"] = [_("Choose a category.")]
    instance.category = category
    objective = data.get("objective")
    if objective not in (None, ""):
        objective_id = objective.pk if isinstance(objective, TrainingObjective) else _int(objective)
        if (
            objective_id is None
            or not TrainingObjective.objects.filter(pk=objective_id, program=program).exists()
        ):
            errors["objective"] = [_("Choose a training objective of this program.")]
        else:
            instance.objective_id = objective_id
    else:
        instance.objective = None
    instance.name = str(data.get("name") or "").strip()
    if not instance.name:
        errors["name"] = [_("Give the indicator a name.")]
    elif len(instance.name) > 200:
        errors["name"] = [_("Keep the name under 200 characters.")]
    instance.description = str(data.get("description") or "").strip()
    weight = _decimal(data.get("weight"))
    # The range first: quantizing a huge number raises InvalidOperation.
    if weight is None or not 0 < weight <= HUNDRED or weight != weight.quantize(TWO_PLACES):
        errors["weight"] = [_("Give a weight above 0 % and at most 100 %, with two decimals.")]
    else:
        instance.weight = weight
    low, high = _int(data.get("scale_min", 1)), _int(data.get("scale_max", 5))
    if low is None or high is None or low < 0 or high > 100:
        errors["scale_max"] = [_("A scale runs between whole numbers from 0 to 100.")]
    elif low >= high:
        errors["scale_max"] = [_("The highest score must be above the lowest.")]
    else:
        instance.scale_min, instance.scale_max = low, high
    position = _int(data.get("position", index))
    instance.position = position if position is not None and 0 <= position < 32768 else index
    return _Row(index, instance, errors)


@transaction.atomic
def save_indicators(
    *, user: User, program: Program, rows: Sequence[Mapping[str, Any]]
) -> list[Indicator]:
    """Replace the program's indicators with `rows` (each a mapping of the indicator's fields,
    with "id" for an existing one): all of them or none. The weights must sum to exactly
    100 %, names are unique, objectives belong to the program, scales are sane; an indicator
    already scored can be neither removed nor rescaled.

    Errors: `ValidationError` keyed "<row index>.<field>", and NON_FIELD_ERRORS for the set.
    """
    if not permissions.can_edit_indicators(user, program):
        raise PermissionDenied
    # One save of a program's set at a time: locking its indicators alone would let a
    # concurrent save miss the rows the other adds (weights past 100 %, duplicate names).
    Program.objects.select_for_update().filter(pk=program.pk).first()
    current = {
        indicator.pk: indicator
        for indicator in Indicator.objects.select_for_update().filter(program=program)
    }
    old_names = {pk: indicator.name for pk, indicator in current.items()}
    used = _used_indicator_ids(program)
    errors: Errors = {}
    parsed: list[_Row] = []
    kept: set[int] = set()
    for index, data in enumerate(rows):
        pk = _int(data.get("id")) if data.get("id") not in (None, "") else None
        existing = None
        if pk is not None:
            existing = current.get(pk)
            if existing is None or pk in kept:
                errors[f"{index}.{NON_FIELD_ERRORS}"] = [_("This indicator is not the program's.")]
                continue
            kept.add(pk)
        old_scale = (existing.scale_min, existing.scale_max) if existing else None
        row = _row_errors(program, index, data, existing)
        if (
            existing is not None
            and existing.pk in used
            and old_scale != (row.instance.scale_min, row.instance.scale_max)
        ):
            row.errors.setdefault("scale_max", []).append(
                _("This indicator has been scored: its scale cannot change.")
            )
        parsed.append(row)
        for name, texts in row.errors.items():
            errors[f"{index}.{name}"] = texts
    names: dict[str, int] = {}
    for row in parsed:
        key = row.instance.name.casefold()
        if key and key in names:
            errors.setdefault(f"{row.index}.name", []).append(
                _("Two indicators cannot have the same name.")
            )
        names.setdefault(key, row.index)
    removed = [indicator for pk, indicator in current.items() if pk not in kept]
    for indicator in removed:
        if indicator.pk in used:
            errors.setdefault(NON_FIELD_ERRORS, []).append(
                _("“%(name)s” has been scored in evaluations and cannot be removed.")
                % {"name": indicator.name}
            )
    if not parsed:
        errors.setdefault(NON_FIELD_ERRORS, []).append(_("Give at least one indicator."))
    if not any(key.endswith(".weight") for key in errors):
        total = sum((row.instance.weight for row in parsed), Decimal(0))
        if parsed and total != HUNDRED:
            errors.setdefault(NON_FIELD_ERRORS, []).append(
                _("The weights add up to %(total)s %%; they must add up to exactly 100 %%.")
                % {"total": f"{total:.2f}"}
            )
    if errors:
        raise ValidationError(errors)
    with history_context(user=user.pk):
        Indicator.objects.filter(pk__in=[i.pk for i in removed]).delete()
        renamed = [
            row.instance
            for row in parsed
            if row.instance.pk and row.instance.name != old_names[row.instance.pk]
        ]
        if renamed:
            # A swap of two names would trip the unique constraint row by row.
            placeholders = [Indicator(pk=i.pk, name=f"~{i.pk}~") for i in renamed]
            Indicator.objects.bulk_update(placeholders, ["name"])
        for row in parsed:
            row.instance.save()
    return list(Indicator.objects.filter(program=program).select_related("objective"))


def weighted_total(indicators: Iterable[Indicator], scores: Mapping[int, int]) -> Decimal:
    """Sum of weight x (score - lowest) / (highest - lowest): 0 to 100 when weights sum to 100."""
    total = Decimal(0)
    for indicator in indicators:
        span = Decimal(indicator.scale_max - indicator.scale_min)
        total += indicator.weight * Decimal(scores[indicator.pk] - indicator.scale_min) / span
    return total.quantize(TWO_PLACES)


# ---- Rounds --------------------------------------------------------------------------------


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


def _round_errors(
    program: Program,
    title: str,
    period_start: dt.date | None,
    period_end: dt.date | None,
    deadline: dt.date | None,
    sources: Sequence[str],
) -> Errors:
    errors: Errors = {}
    if not title:
        errors["title"] = [_("Give the round a title.")]
    if period_start is None:
        errors["period_start"] = [_("Give the start of the period.")]
    if period_end is None:
        errors["period_end"] = [_("Give the end of the period.")]
    elif period_start is not None and period_end < period_start:
        errors["period_end"] = [_("The period must end on or after its start.")]
    if deadline is None:
        errors["deadline"] = [_("Give the deadline.")]
    elif deadline < timezone.localdate():
        errors["deadline"] = [_("The deadline cannot be in the past.")]
    elif period_start is not None and deadline < period_start:
        errors["deadline"] = [_("The deadline cannot be before the period starts.")]
    unknown = [s for s in sources if s not in Source.values]
    if not sources or unknown:
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
    errors = _round_errors(program, title, period_start, period_end, deadline, chosen)
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
    from .tasks import notify_round_opened_task

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


# ---- Submitting ----------------------------------------------------------------------------


def _score_errors(indicators: list[Indicator], scores: Mapping[Any, Any]) -> tuple[dict, Errors]:
    given = {str(key): value for key, value in (scores or {}).items()}
    values: dict[int, int] = {}
    errors: Errors = {}
    known = {str(i.pk) for i in indicators}
    for key in given:
        if key not in known:
            errors.setdefault("scores", []).append(
                _("Score only the indicators of the program (%(key)s is not one).") % {"key": key}
            )
    for indicator in indicators:
        raw = given.get(str(indicator.pk))
        value = _int(raw) if raw not in (None, "") else None
        name = f"score_{indicator.pk}"
        if value is None:
            errors[name] = [_("Give a score for “%(name)s”.") % {"name": indicator.name}]
        elif not indicator.scale_min <= value <= indicator.scale_max:
            errors[name] = [
                _("Give a score from %(low)d to %(high)d.")
                % {"low": indicator.scale_min, "high": indicator.scale_max}
            ]
        else:
            values[indicator.pk] = value
    return values, errors


@transaction.atomic
def submit_evaluation(
    *, user: User, request: EvaluationRequest, scores: Mapping[Any, Any], comment: str = ""
) -> Evaluation | None:
    """Answer what `user` owes: a score per indicator of the program (within its scale) and
    a comment. A named source gives an `Evaluation` with its scores; an anonymous source an
    `AnonymousAnswer` (returns None) and the request becomes the receipt."""
    locked = (
        EvaluationRequest.objects.select_for_update(of=("self",))
        .select_related("round__program", "placement")
        .get(pk=request.pk)
    )
    if locked.evaluator_id != user.pk:
        raise PermissionDenied
    if locked.status != EvaluationRequest.Status.PENDING:
        raise ValidationError({NON_FIELD_ERRORS: [_("This evaluation has already been given.")]})
    round_ = locked.round
    if round_.status != EvaluationRound.Status.OPEN:
        raise ValidationError({NON_FIELD_ERRORS: [_("This round is closed.")]})
    indicators = list(Indicator.objects.filter(program=round_.program_id))
    values, errors = _score_errors(indicators, scores)
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX_LENGTH:
        errors["comment"] = [
            ngettext(
                "Keep the comment under %(count)d character.",
                "Keep the comment under %(count)d characters.",
                COMMENT_MAX_LENGTH,
            )
            % {"count": COMMENT_MAX_LENGTH}
        ]
    if not indicators:
        errors[NON_FIELD_ERRORS] = [_("The program has no indicators to score.")]
    if errors:
        raise ValidationError(errors)
    total = weighted_total(indicators, values)
    locked.status = EvaluationRequest.Status.SUBMITTED
    if locked.source in ANONYMOUS_SOURCES:
        locked.save(update_fields=["status"])
        subject: dict[str, Any] = (
            {"subject_kind": SubjectKind.PARTNER, "organization_id": locked.placement.host_id}
            if locked.source == Source.STUDENT_ON_PLACEMENT and locked.placement is not None
            else {"subject_kind": locked.subject_kind, "tutor_id": locked.tutor_id}
        )
        AnonymousAnswer.objects.create(
            round=round_,
            source=locked.source,
            scores={str(pk): value for pk, value in values.items()},
            total=total,
            comment=comment,
            **subject,
        )
        request.status = locked.status
        return None
    with history_context(user=user.pk):
        locked.save(update_fields=["status"])
        evaluation = Evaluation.objects.create(
            request=locked,
            round=round_,
            source=locked.source,
            evaluator=user,
            subject_kind=locked.subject_kind,
            student_id=locked.student_id,
            tutor_id=locked.tutor_id,
            placement_id=locked.placement_id,
            organization_id=locked.organization_id,
            comment=comment,
            total=total,
        )
        Score.objects.bulk_create(
            [
                Score(evaluation=evaluation, indicator_id=pk, value=value)
                for pk, value in values.items()
            ]
        )
    request.status = locked.status
    return evaluation


# ---- Aggregates ----------------------------------------------------------------------------


@dataclass
class IndicatorMean:
    indicator: Indicator
    mean: Decimal | None


@dataclass
class NamedGroup:
    """Named evaluations of one source (about one subject, or all of the round's)."""

    source: str
    label: str
    count: int
    mean_total: Decimal | None
    means: list[IndicatorMean]

    @property
    def source_label(self) -> str:
        return str(Source(self.source).label)


@dataclass
class AnonymousGroup:
    """The anonymous answers of one source about one subject. `count` is None below the
    minimum number of answers; the means and the comments are None below it and while the
    round is open (`awaiting_close`): averages that changed with each answer would give
    away the latest one, whose author the receipts name."""

    source: str
    subject_kind: str
    subject_id: int
    label: str
    count: int | None
    mean_total: Decimal | None
    means: list[IndicatorMean]
    comments: list[str] | None
    awaiting_close: bool = False

    @property
    def shown(self) -> bool:
        return self.count is not None and not self.awaiting_close

    @property
    def source_label(self) -> str:
        return str(Source(self.source).label)


@dataclass
class RoundResults:
    round: EvaluationRound
    indicators: list[Indicator]
    by_source: list[NamedGroup]
    by_subject: list[tuple[NamedGroup, str, int]]
    anonymous: list[AnonymousGroup]
    min_answers: int


def _mean(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(TWO_PLACES)


#: The columns that name a subject, read with the groups (no query per kind).
LABEL_KEYS = [
    "student__user__full_name",
    "student__user__email",
    "student__student_number",
    "tutor__user__full_name",
    "tutor__user__email",
    "placement__host__short_name",
    "placement__host__name",
    "organization__short_name",
    "organization__name",
]
SUBJECT_KEYS = ["subject_kind", "student_id", "tutor_id", "placement_id", "organization_id"]
SUBJECT_FIELDS = {
    SubjectKind.STUDENT: "student_id",
    SubjectKind.TUTOR: "tutor_id",
    SubjectKind.PLACEMENT: "placement_id",
    SubjectKind.PARTNER: "organization_id",
}


def _label_of(row: Mapping[str, Any], program: Program) -> str:
    kind = row["subject_kind"]
    if kind == SubjectKind.STUDENT:
        name = row["student__user__full_name"] or row["student__user__email"]
        return f"{name} ({row['student__student_number']})"
    if kind == SubjectKind.TUTOR:
        return str(row["tutor__user__full_name"] or row["tutor__user__email"])
    if kind == SubjectKind.PLACEMENT:
        return str(row["placement__host__short_name"] or row["placement__host__name"])
    if kind == SubjectKind.PARTNER:
        return str(row["organization__short_name"] or row["organization__name"])
    return str(program)


def _subject_of(row: Mapping[str, Any]) -> tuple[str, int]:
    kind = row["subject_kind"]
    field_ = SUBJECT_FIELDS.get(kind)
    return kind, (row[field_] if field_ else 0)


def _subject_q(kind: str | None, pk: int | None) -> Q:
    if not kind:
        return Q()
    field_ = SUBJECT_FIELDS.get(SubjectKind(kind))
    return Q(subject_kind=kind, **({field_: pk} if field_ else {}))


def _named_groups(
    evaluations: QuerySet[Evaluation],
    indicators: list[Indicator],
    keys: list[str],
    program: Program,
) -> list[tuple[dict[str, Any], NamedGroup]]:
    """Named evaluations grouped by source (and `keys`): two queries."""
    labels = LABEL_KEYS if keys else []
    totals = list(
        evaluations.values("source", *keys, *labels)
        .annotate(n=Count("pk"), mean=Avg("total"))
        .order_by("source", *keys)
    )
    per_indicator: dict[tuple[Any, ...], dict[int, Any]] = defaultdict(dict)
    score_keys = [f"evaluation__{key}" for key in keys]
    for row in (
        Score.objects.filter(evaluation__in=evaluations.values("pk"))
        .values("evaluation__source", *score_keys, "indicator_id")
        .annotate(mean=Avg("value"))
        .order_by()
    ):
        group = (row["evaluation__source"], *(row[k] for k in score_keys))
        per_indicator[group][row["indicator_id"]] = row["mean"]
    groups = []
    for row in totals:
        means = per_indicator[(row["source"], *(row[k] for k in keys))]
        groups.append(
            (
                row,
                NamedGroup(
                    source=row["source"],
                    label=_label_of(row, program) if keys else "",
                    count=row["n"],
                    mean_total=_mean(row["mean"]),
                    means=[IndicatorMean(i, _mean(means.get(i.pk))) for i in indicators],
                ),
            )
        )
    return groups


def _anonymous_groups(
    user: Any, round_: EvaluationRound, indicators: list[Indicator], subject: Q
) -> list[AnonymousGroup]:
    """The aggregates of the anonymous answers `user` may see: one query, and one more for
    the scores and comments of the groups shown (from the minimum number of answers, once
    the round is closed: while answers still come in, a change of the averages between two
    looks would be the answer of whoever answered in between)."""
    answers = AnonymousAnswer.objects.filter(
        permissions.anonymous_filter(user), subject, round=round_
    )
    minimum = min_anonymous()
    counted = list(
        answers.values("source", *SUBJECT_KEYS, *LABEL_KEYS)
        .annotate(n=Count("pk"), mean=Avg("total"))
        .order_by()
    )
    enough = {
        (r["source"], r["tutor_id"], r["organization_id"]) for r in counted if r["n"] >= minimum
    }
    closed = round_.status == EvaluationRound.Status.CLOSED
    shown = enough if closed else set()
    scores: dict[tuple[Any, ...], dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    comments: dict[tuple[Any, ...], list[str]] = defaultdict(list)
    with_comments = permissions.reads_anonymous_comments(user, round_)
    if shown:
        # Only the groups shown are read, and nothing orders their rows meaningfully.
        for source, tutor, organization, values, text in answers.filter(
            source__in={s for s, _t, _o in shown}
        ).values_list("source", "tutor_id", "organization_id", "scores", "comment"):
            key = (source, tutor, organization)
            if key not in shown:
                continue
            for indicator, value in values.items():
                scores[key][indicator].append(value)
            if with_comments and text:
                comments[key].append(text)
    groups = []
    for row in counted:
        key = (row["source"], row["tutor_id"], row["organization_id"])
        kind, pk = _subject_of(row)
        visible = key in shown
        means = scores.get(key, {})
        groups.append(
            AnonymousGroup(
                source=row["source"],
                subject_kind=kind,
                subject_id=pk,
                label=_label_of(row, round_.program),
                count=row["n"] if key in enough else None,
                mean_total=_mean(row["mean"]) if visible else None,
                # An indicator added during the round is scored by fewer answers than the
                # group has: its mean, too, shows only from the minimum number on.
                means=[
                    IndicatorMean(
                        i,
                        _mean(Decimal(sum(means[str(i.pk)])) / len(means[str(i.pk)]))
                        if visible and len(means.get(str(i.pk), ())) >= minimum
                        else None,
                    )
                    for i in indicators
                ],
                # Sorted by their text: the order of answering is not revealed.
                comments=sorted(comments.get(key, [])) if visible and with_comments else None,
                awaiting_close=key in enough and not closed,
            )
        )
    groups.sort(key=lambda g: (g.source, g.label, g.subject_id))
    return groups


def round_results(
    *,
    user: Any,
    round_: EvaluationRound,
    subject_kind: str | None = None,
    subject_id: int | None = None,
) -> RoundResults:
    """What `user` may see of a round's answers (or of one subject's): named evaluations
    averaged per source and indicator, and per subject; anonymous answers as aggregates from
    `EVALUATION_MIN_ANONYMOUS` answers on. A fixed number of queries."""
    program = round_.program
    indicators = list(Indicator.objects.filter(program=program.pk))
    subject = _subject_q(subject_kind, subject_id)
    evaluations = Evaluation.objects.visible_to(user).filter(subject, round=round_)
    by_source = [group for _row, group in _named_groups(evaluations, indicators, [], program)]
    by_subject = [
        (group, *_subject_of(row))
        for row, group in _named_groups(evaluations, indicators, SUBJECT_KEYS, program)
    ]
    by_subject.sort(key=lambda item: (item[0].label, item[0].source))
    return RoundResults(
        round=round_,
        indicators=indicators,
        by_source=by_source,
        by_subject=by_subject,
        anonymous=_anonymous_groups(user, round_, indicators, subject),
        min_answers=min_anonymous(),
    )
