"""The audit rule of evaluations: `evaluation_overdue`, registered from `hooks.register()`.

For an anonymous source the finding says no more than how many evaluations the evaluator
owes in the round: that they owe is not secret, what they answer is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any

from django.db.models import Count, Min
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from programs.models import Student
from supervision.rules import Hit, Rule, Scope, Threshold

from ..models import ANONYMOUS_SOURCES, EvaluationRequest, EvaluationRound, Source


def _evaluator_name(row: Mapping[str, Any]) -> str:
    return str(row["evaluator__full_name"] or row["evaluator__email"])


def _overdue(scope: Scope) -> Iterator[Hit]:
    """Pending requests of open rounds past their deadline by more than `grace_days`: named
    ones one by one, anonymous ones counted per evaluator, round and source (two queries)."""
    before = scope.today - dt.timedelta(days=int(scope["grace_days"]))
    pending = EvaluationRequest.objects.filter(
        round__program_id__in=scope.program_ids,
        round__status=EvaluationRound.Status.OPEN,
        round__deadline__lt=before,
        status=EvaluationRequest.Status.PENDING,
    ).order_by()
    anonymous = sorted(ANONYMOUS_SOURCES)
    for row in (
        pending.exclude(source__in=anonymous)
        .values(
            "pk",
            "source",
            "subject_kind",
            "student_id",
            "tutor_id",
            "organization_id",
            "placement__host_id",
            "round__program_id",
            "round__title",
            "round__deadline",
            "evaluator__full_name",
            "evaluator__email",
        )
        .iterator(chunk_size=5000)
    ):
        late = (scope.today - row["round__deadline"]).days
        yield Hit(
            subject_id=row["pk"],
            program_id=row["round__program_id"],
            student_id=row["student_id"],
            tutor_id=row["tutor_id"],
            organization_id=row["organization_id"] or row["placement__host_id"],
            details={
                "evaluator": _evaluator_name(row),
                "source": row["source"],
                "round": row["round__title"],
                "days": late,
                "count": 1,
            },
            evidence={"deadline": row["round__deadline"].isoformat(), "days_overdue": late},
        )
    students = dict(
        Student.objects.filter(program_id__in=scope.program_ids).values_list("user_id", "pk")
    )
    for group in (
        pending.filter(source__in=anonymous)
        .values(
            "round_id",
            "source",
            "evaluator_id",
            "evaluator__full_name",
            "evaluator__email",
            "round__program_id",
            "round__title",
            "round__deadline",
        )
        .annotate(count=Count("pk"), first=Min("pk"))
        .iterator(chunk_size=5000)
    ):
        late = (scope.today - group["round__deadline"]).days
        yield Hit(
            # The evaluator's first pending request of the round stands for all of them.
            subject_id=group["first"],
            program_id=group["round__program_id"],
            student_id=students.get(group["evaluator_id"]),
            details={
                "evaluator": _evaluator_name(group),
                "source": group["source"],
                "round": group["round__title"],
                "days": late,
                "count": group["count"],
            },
            evidence={
                "deadline": group["round__deadline"].isoformat(),
                "days_overdue": late,
                "evaluations_owed": group["count"],
            },
            key=f"{group['round_id']}:{group['evaluator_id']}:{group['source']}",
        )


def _message(details: Mapping[str, Any]) -> str:
    values = {**details, "source": dict(Source.choices).get(details.get("source", ""), "")}
    values["overdue"] = ngettext(
        "%(days)d day overdue", "%(days)d days overdue", details["days"]
    ) % {"days": details["days"]}
    if details.get("source") in ANONYMOUS_SOURCES:
        values["owed"] = ngettext(
            "%(count)d evaluation owed", "%(count)d evaluations owed", details["count"]
        ) % {"count": details["count"]}
        return _("%(owed)s by %(evaluator)s (%(source)s) in “%(round)s”, %(overdue)s.") % values
    return (
        _("%(evaluator)s has not given their evaluation (%(source)s) in “%(round)s”, %(overdue)s.")
        % values
    )


RULE = Rule(
    code="evaluation_overdue",
    label=gettext_lazy("Evaluation overdue"),
    description=gettext_lazy(
        "Someone has not given an evaluation they owe in an open round, past its deadline "
        "(plus a grace period). Anonymous evaluations are only counted per evaluator."
    ),
    severity="minor",
    subject="evaluation.evaluationrequest",
    find=_overdue,
    message=_message,
    thresholds={"grace_days": Threshold(0, gettext_lazy("Grace period (days)"), 0, 365)},
    evidence_labels={
        "deadline": gettext_lazy("Deadline"),
        "days_overdue": gettext_lazy("Days overdue"),
        "evaluations_owed": gettext_lazy("Evaluations owed"),
    },
)
