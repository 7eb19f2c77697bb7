"""Rules on internal supervision being done on time (DOMAIN.md, "Supervision"): a program's
review meetings held at the configured interval, and finished inspections published within
the configured number of days.

Like the catalogue's rules, each `find` is a few set-based queries over the scope's programs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any

from django.db.models import OuterRef, Q, Subquery
from django.utils.translation import gettext_lazy, ngettext

from programs.models import Program

from ..models import Inspection, ReviewMeeting
from . import Hit, Rule, Scope, Threshold, register

#: Inspections that are done with: published, or called off.
SETTLED = (Inspection.Status.PUBLISHED, Inspection.Status.CANCELLED)


def _cutoff(scope: Scope, name: str) -> dt.date:
    return scope.today - dt.timedelta(days=int(scope[name]))


def _review_meeting_overdue(scope: Scope) -> Iterator[Hit]:
    """Active programs whose last held review meeting (or, without one, whose start) is
    older than the interval."""
    cutoff = _cutoff(scope, "interval_days")
    last_held = (
        ReviewMeeting.objects.filter(
            program_id=OuterRef("pk"),
            status=ReviewMeeting.Status.HELD,
            held_on__lte=scope.today,
        )
        .order_by("-held_on")
        .values("held_on")[:1]
    )
    rows = (
        Program.objects.filter(pk__in=scope.program_ids, status=Program.Status.ACTIVE)
        .annotate(last_held=Subquery(last_held))
        .filter(Q(last_held__lt=cutoff) | Q(last_held__isnull=True, start_date__lt=cutoff))
        .values_list("pk", "last_held", "start_date")
        .order_by()
    )
    for pk, last, start in rows:
        days = (scope.today - (last or start)).days
        yield Hit(
            subject_id=pk,
            program_id=pk,
            details={"days": days, "never": last is None},
            evidence={
                "last_review_meeting": last.isoformat() if last else None,
                "days_without_meeting": days,
                "interval_days": int(scope["interval_days"]),
            },
        )


def _inspection_publication_late(scope: Scope) -> Iterator[Hit]:
    """Inspections whose fieldwork ended more than `days` ago and that are neither published
    nor cancelled: an inspection of a program in that program, an inspection of an
    organisation in each program where it is an active partner."""
    cutoff = _cutoff(scope, "days")
    late = Inspection.objects.filter(ends_on__lt=cutoff).exclude(status__in=SETTLED)
    fields = ("pk", "title", "ends_on", "organization_id")
    of_programs = (
        late.filter(program_id__in=scope.program_ids).values_list(*fields, "program_id").order_by()
    )
    of_partners = (
        late.filter(
            organization__partnerships__program_id__in=scope.program_ids,
            organization__partnerships__is_active=True,
        )
        .values_list(*fields, "organization__partnerships__program_id")
        .order_by()
    )
    for rows in (of_programs, of_partners):
        for pk, title, ends_on, organization_id, program_id in rows:
            days = (scope.today - ends_on).days
            yield Hit(
                subject_id=pk,
                program_id=program_id,
                organization_id=organization_id,
                details={"title": title, "days": days},
                evidence={
                    "ended_on": ends_on.isoformat(),
                    "days_since_end": days,
                },
            )


def _meeting_message(details: Mapping[str, Any]) -> str:
    days = int(details.get("days", 0))
    if details.get("never"):
        template = ngettext(
            "No review meeting has been held since the program started, %(days)d day ago.",
            "No review meeting has been held since the program started, %(days)d days ago.",
            days,
        )
    else:
        template = ngettext(
            "No review meeting has been held for %(days)d day.",
            "No review meeting has been held for %(days)d days.",
            days,
        )
    return template % {"days": days}


def _publication_message(details: Mapping[str, Any]) -> str:
    days = int(details.get("days", 0))
    template = ngettext(
        "The inspection “%(title)s” ended %(days)d day ago and is not published.",
        "The inspection “%(title)s” ended %(days)d days ago and is not published.",
        days,
    )
    return template % {"title": details.get("title", ""), "days": days}


RULES = [
    Rule(
        code="review_meeting_overdue",
        label=gettext_lazy("Review meeting overdue"),
        description=gettext_lazy(
            "An active program has held no review meeting within the interval (counted from "
            "its start when it has held none)."
        ),
        severity="minor",
        subject="programs.program",
        find=_review_meeting_overdue,
        message=_meeting_message,
        thresholds={
            "interval_days": Threshold(
                90, gettext_lazy("Interval between review meetings (days)"), 7, 730
            )
        },
        evidence_labels={
            "last_review_meeting": gettext_lazy("Last review meeting"),
            "days_without_meeting": gettext_lazy("Days without a review meeting"),
            "interval_days": gettext_lazy("Interval (days)"),
        },
    ),
    Rule(
        code="inspection_publication_late",
        label=gettext_lazy("Inspection report not published"),
        description=gettext_lazy(
            "An inspection ended more than the configured number of days ago and its report "
            "is neither published nor the inspection cancelled."
        ),
        severity="major",
        subject="supervision.inspection",
        find=_inspection_publication_late,
        message=_publication_message,
        thresholds={
            "days": Threshold(30, gettext_lazy("Days from the end to publication"), 1, 365)
        },
        evidence_labels={
            "ended_on": gettext_lazy("Ended on"),
            "days_since_end": gettext_lazy("Days since the end"),
        },
    ),
]


def register_rules() -> None:
    for rule in RULES:
        register(rule)
