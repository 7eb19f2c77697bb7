"""The results of a round: named evaluations averaged per source, indicator and subject, and
anonymous answers as aggregates from the minimum number of answers on."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, Q, QuerySet

from programs.models import Program

from ...models import (
    AnonymousAnswer,
    Evaluation,
    EvaluationRound,
    Indicator,
    Score,
    Source,
    SubjectKind,
)
from .. import permissions
from .common import TWO_PLACES, min_anonymous


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


def _subject_q(subject: tuple[str, int] | None) -> Q:
    if subject is None:
        return Q()
    kind, pk = subject
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
    *, user: Any, round_: EvaluationRound, subject: tuple[str, int] | None = None
) -> RoundResults:
    """What `user` may see of a round's answers (or of one subject's, `subject` being its kind
    and id): named evaluations averaged per source and indicator, and per subject; anonymous
    answers as aggregates from `EVALUATION_MIN_ANONYMOUS` answers on. A fixed number of
    queries."""
    program = round_.program
    indicators = list(Indicator.objects.filter(program=program.pk))
    of_subject = _subject_q(subject)
    evaluations = Evaluation.objects.visible_to(user).filter(of_subject, round=round_)
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
        anonymous=_anonymous_groups(user, round_, indicators, of_subject),
        min_answers=min_anonymous(),
    )
