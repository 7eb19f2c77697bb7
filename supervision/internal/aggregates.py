"""Aggregates of the supervision ratings: per tutor and per program, per term, for those who
may read them (no figure from fewer ratings than the threshold)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count

from accounts.models import User
from programs.models import (
    TutorProfile,
)

from ..models import (
    SupervisionRating,
)
from . import permissions
from .permissions import MIN_ANSWERS
from .services import TWO_PLACES, current_term, term_label, term_order

__all__ = [
    "ProgramAggregate",
    "TutorAggregate",
    "program_aggregates",
    "rating_terms",
    "tutor_aggregates",
]


# ---- Aggregates ----------------------------------------------------------------------------


class _TermAnswers:
    """What the aggregates of one term share: shown only with enough answers."""

    term: str
    answers: int | None

    @property
    def shown(self) -> bool:
        return self.answers is not None

    @property
    def term_label(self) -> str:
        return term_label(self.term)


@dataclass(frozen=True)
class TutorAggregate(_TermAnswers):
    """The answers about one tutor (in one role) in one program and term. `answers` and
    `average` are None when there are fewer than `MIN_ANSWERS` answers."""

    program_id: int
    program_code: str
    term: str
    tutor_id: int
    tutor_name: str
    role: str
    answers: int | None
    average: Decimal | None

    @property
    def role_label(self) -> str:
        return str(TutorProfile.Kind(self.role).label)


@dataclass(frozen=True)
class ProgramAggregate(_TermAnswers):
    """The answers in one program and term; each average only from `MIN_ANSWERS` answers to
    its question on. `comments` is None for those who may not read them."""

    program_id: int
    program_code: str
    term: str
    answers: int | None
    academic_tutor_average: Decimal | None
    practice_tutor_average: Decimal | None
    program_support_average: Decimal | None
    comments: list[str] | None


def _average(value: Any, count: int) -> Decimal | None:
    if value is None or count < MIN_ANSWERS:
        return None
    return Decimal(str(value)).quantize(TWO_PLACES)


def tutor_aggregates(user: User, term: str = "") -> list[TutorAggregate]:
    """The tutor aggregates `user` may see (two queries), newest term first."""
    rows: list[TutorAggregate] = []
    for role, field in (
        (TutorProfile.Kind.ACADEMIC, "academic_tutor"),
        (TutorProfile.Kind.PRACTICE, "practice_tutor"),
    ):
        ratings = SupervisionRating.objects.filter(
            permissions.tutor_rating_filter(user, field), **{f"{field}__isnull": False}
        )
        if term:
            ratings = ratings.filter(term=term)
        grouped = (
            ratings.values(
                "program_id", "program__code", "term", field, f"{field}__user__full_name"
            )
            .annotate(answers=Count("pk"), average=Avg(f"{field}_score"))
            .order_by()
        )
        for row in grouped:
            shown = row["answers"] >= MIN_ANSWERS
            rows.append(
                TutorAggregate(
                    program_id=row["program_id"],
                    program_code=row["program__code"],
                    term=row["term"],
                    tutor_id=row[field],
                    tutor_name=row[f"{field}__user__full_name"],
                    role=str(role),
                    answers=row["answers"] if shown else None,
                    average=_average(row["average"], row["answers"]),
                )
            )
    rows.sort(key=lambda r: (r.program_code, r.tutor_name, r.role, r.tutor_id))
    rows.sort(key=lambda r: term_order(r.term), reverse=True)
    return rows


def program_aggregates(user: User, term: str = "") -> list[ProgramAggregate]:
    """The program aggregates `user` may see, with their comments (two queries)."""
    ratings = SupervisionRating.objects.filter(permissions.program_rating_filter(user))
    if term:
        ratings = ratings.filter(term=term)
    grouped = list(
        ratings.values("program_id", "program__code", "term")
        .annotate(
            answers=Count("pk"),
            academic_answers=Count("academic_tutor_score"),
            practice_answers=Count("practice_tutor_score"),
            academic=Avg("academic_tutor_score"),
            practice=Avg("practice_tutor_score"),
            support=Avg("program_support_score"),
        )
        .order_by()
    )
    shown = {(r["program_id"], r["term"]) for r in grouped if r["answers"] >= MIN_ANSWERS}
    comments: dict[tuple[int, str], list[str]] = {key: [] for key in shown}
    if shown:
        # Ordered by the random primary key: the order of answering is not revealed.
        for program_id, row_term, text in (
            ratings.filter(program__in={p for p, _t in shown}, term__in={t for _p, t in shown})
            .exclude(comment="")
            .order_by("pk")
            .values_list("program_id", "term", "comment")
        ):
            if (program_id, row_term) in comments:
                comments[program_id, row_term].append(text)
    rows = []
    for row in grouped:
        key = (row["program_id"], row["term"])
        visible = key in shown
        rows.append(
            ProgramAggregate(
                program_id=row["program_id"],
                program_code=row["program__code"],
                term=row["term"],
                answers=row["answers"] if visible else None,
                academic_tutor_average=_average(row["academic"], row["academic_answers"])
                if visible
                else None,
                practice_tutor_average=_average(row["practice"], row["practice_answers"])
                if visible
                else None,
                program_support_average=_average(row["support"], row["answers"]),
                comments=comments[key] if visible else None,
            )
        )
    rows.sort(key=lambda r: r.program_code)
    rows.sort(key=lambda r: term_order(r.term), reverse=True)
    return rows


def rating_terms(user: User) -> list[str]:
    """The terms with answers that count in an aggregate `user` sees, and the current term,
    newest first (one query)."""
    scope = (
        permissions.tutor_rating_filter(user, "academic_tutor")
        | permissions.tutor_rating_filter(user, "practice_tutor")
        | permissions.program_rating_filter(user)
    )
    terms = set(SupervisionRating.objects.filter(scope).values_list("term", flat=True).distinct())
    terms.add(current_term())
    return sorted(terms, key=term_order, reverse=True)
