"""The reward ledger: points per project size, the awards of a completed project, reversals,
and the totals and leaderboard per person and per organisation.

Completed projects earn, in the transaction that completes them, one award per member
(students and tutors) and one per organisation involved (lead and partners), worth the
points of the project's size in its program, dated the day of completion. The ledger is
append-only (a database trigger refuses updates and deletes): a correction is a reversing
entry with a reason, which cancels one award in the period the award counts in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from programs.models import Organization, Program, Project
from training_portal.core.history import history_context

from ..models import RewardEntry, RewardRule
from ..models.ledger import DEFAULT_POINTS
from . import permissions

__all__ = [
    "KINDS",
    "MAX_POINTS",
    "Period",
    "Total",
    "award_completed_project",
    "award_project",
    "leaderboard",
    "points_by_size",
    "reverse_entry",
    "set_reward_rules",
    "totals",
]

#: What totals and the leaderboard are per.
KINDS = ("person", "organisation")
#: The most points a program may give a project of one size.
MAX_POINTS = 1000


# ---- Periods -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """The days whose entries count: from `start` to `end` (both included, either open)."""

    start: dt.date | None = None
    end: dt.date | None = None

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 31))

    def q(self, prefix: str = "") -> Q:
        q = Q()
        if self.start is not None:
            q &= Q(**{f"{prefix}earned_on__gte": self.start})
        if self.end is not None:
            q &= Q(**{f"{prefix}earned_on__lte": self.end})
        return q


# ---- Points per size -----------------------------------------------------------------------


def points_by_size(program: Program) -> dict[str, int]:
    """The points of a completed project of each size in `program` (its rules, else the
    defaults)."""
    points = {str(size): value for size, value in DEFAULT_POINTS.items()}
    for size, value in RewardRule.objects.filter(program=program).values_list("size", "points"):
        points[size] = value
    return points


@transaction.atomic
def set_reward_rules(*, user: User, program: Program, points: Mapping[str, Any]) -> dict[str, int]:
    """Set the program's points for each project size (all sizes at once)."""
    if not permissions.can_edit_rules(user, program):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, int] = {}
    for size in Project.Size.values:
        value = points.get(size)
        try:
            number = int(value) if value is not None and str(value).strip() != "" else None
        except (TypeError, ValueError, OverflowError):
            number = None
        if number is None or str(number) != str(value).strip():
            errors[size] = [_("Give a whole number of points.")]
        elif not 1 <= number <= MAX_POINTS:
            errors[size] = [
                _("Give between 1 and %(max)s points.") % {"max": MAX_POINTS},
            ]
        else:
            cleaned[size] = number
    unknown = sorted(set(points) - set(Project.Size.values))
    if unknown:
        errors["size"] = [_("“%(size)s” is not a project size.") % {"size": unknown[0]}]
    if errors:
        raise ValidationError(errors)
    with history_context(user=user.pk):
        for size, number in cleaned.items():
            RewardRule.objects.update_or_create(
                program=program, size=size, defaults={"points": number}
            )
    return cleaned


# ---- Awards and reversals ------------------------------------------------------------------


def award_project(
    *, project: Project, on: dt.date | None = None, recorded_by: User | None = None
) -> int:
    """Write the awards of a completed project: one per member, one per organisation
    involved. Idempotent (the unique constraints keep one award per beneficiary and project):
    returns how many awards were written now."""
    if project.status != Project.Status.COMPLETED:
        return 0
    earned_on = on or timezone.localdate()
    points = Decimal(points_by_size(project.program)[project.size])
    common: dict[str, Any] = {
        "program_id": project.program_id,
        "project_id": project.pk,
        "kind": RewardEntry.Kind.AWARD,
        "points": points,
        "earned_on": earned_on,
        "created_by": recorded_by,
    }
    member_ids = sorted(set(project.members.values_list("user_id", flat=True)))
    organization_ids = sorted(
        {project.lead_organization_id}
        | set(project.partner_organizations.values_list("pk", flat=True))
    )
    before = RewardEntry.objects.filter(project=project, kind=RewardEntry.Kind.AWARD).count()
    entries = [RewardEntry(user_id=pk, **common) for pk in member_ids]
    entries += [RewardEntry(organization_id=pk, **common) for pk in organization_ids]
    # ON CONFLICT DO NOTHING: a second call (or a concurrent one) adds nothing.
    RewardEntry.objects.bulk_create(entries, ignore_conflicts=True)
    after = RewardEntry.objects.filter(project=project, kind=RewardEntry.Kind.AWARD).count()
    return after - before


def award_completed_project(*, project: Project, user: User) -> None:
    """The `programs.projects.services.on_project_completed` callback."""
    award_project(project=project, recorded_by=user)


@transaction.atomic
def reverse_entry(*, user: User, entry: RewardEntry, reason: str) -> RewardEntry:
    """Cancel an award with a reversing entry (negative points, same beneficiary, same
    period), saying why; once per award."""
    if not permissions.can_reverse_entry(user, entry):
        raise PermissionDenied
    # Serialise reversals of the same award (the row is only locked, never updated).
    locked = RewardEntry.objects.select_for_update().get(pk=entry.pk)
    reason = (reason or "").strip()
    errors: dict[str, list[str]] = {}
    if not reason:
        errors["reason"] = [_("Say why the entry is reversed.")]
    if RewardEntry.objects.filter(reverses=locked).exists():
        errors["entry"] = [_("This entry has already been reversed.")]
    if errors:
        raise ValidationError(errors)
    reversal = locked.reversal(reason=reason, created_by=user)
    reversal.save(force_insert=True)
    return reversal


# ---- Totals and leaderboard ----------------------------------------------------------------


@dataclass
class Total:
    """A beneficiary's points in a period, with their rank (1 = most points; ties share)."""

    pk: int
    name: str
    points: Decimal
    entries: int
    rank: int = 0
    detail: str = ""


def totals(entries: QuerySet[RewardEntry], *, kind: str) -> list[Total]:
    """The totals of `entries` per person (kind "person") or per organisation, best first,
    ranked (one query)."""
    rows: Any
    if kind == "organisation":
        rows = (
            entries.filter(organization__isnull=False)
            .values("organization_id", "organization__name", "organization__kind")
            .annotate(total=Sum("points"), n=Count("pk"))
            .order_by("-total", "organization__name", "organization_id")
        )
        kinds = dict(Organization.Kind.choices)
        result = [
            Total(
                pk=row["organization_id"],
                name=row["organization__name"],
                points=row["total"],
                entries=row["n"],
                detail=str(kinds.get(row["organization__kind"], "")),
            )
            for row in rows
        ]
    else:
        rows = (
            entries.filter(user__isnull=False)
            .values("user_id", "user__full_name", "user__email")
            .annotate(total=Sum("points"), n=Count("pk"))
            .order_by("-total", "user__full_name", "user_id")
        )
        result = [
            Total(
                pk=row["user_id"],
                name=row["user__full_name"] or row["user__email"],
                points=row["total"],
                entries=row["n"],
            )
            for row in rows
        ]
    return _ranked(result)


def _ranked(rows: Iterable[Total]) -> list[Total]:
    """Competition ranking: 1, 2, 2, 4."""
    ranked = list(rows)
    for index, row in enumerate(ranked):
        if index and row.points == ranked[index - 1].points:
            row.rank = ranked[index - 1].rank
        else:
            row.rank = index + 1
    return ranked


def entries_in(
    user: Any, *, program: Program | None = None, period: Period | None = None
) -> QuerySet[RewardEntry]:
    """The entries `user` sees, of `program` (or all their programs), in `period`."""
    entries = RewardEntry.objects.visible_to(user)
    if program is not None:
        entries = entries.filter(program=program)
    return entries.filter((period or Period()).q())


def leaderboard(
    user: Any,
    *,
    kind: str = "person",
    program: Program | None = None,
    period: Period | None = None,
) -> list[Total]:
    """The ranked totals of the entries `user` sees (reversals included, so corrections
    move the totals)."""
    return totals(entries_in(user, program=program, period=period), kind=kind)
