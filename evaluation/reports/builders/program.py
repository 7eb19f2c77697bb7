"""A program's annual report, and its live dashboard (the same sections, without the
projects and the points)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Avg, Count, F, Q, Subquery, Sum
from django.db.models.functions import ExtractMonth
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from programs.models import (
    Milestone,
    Program,
    ProgramPartner,
    ProgressLog,
    Project,
    Student,
)
from programs.models.organizations import OrganizationKind
from training_portal.core import charts

from ...models import (
    AnonymousAnswer,
    EvaluationRound,
    Indicator,
    PartnerScore,
    PartnerScoreRun,
    RewardEntry,
    Score,
)
from .base import (
    ReportData,
    Section,
    case_totals_section,
    choice_labels,
    count_rows,
    findings_by_severity_section,
    month_labels,
    two_places,
    year_bounds,
)

# ---- A program's annual report -----------------------------------------------------------


def program_annual(program: Program, year: int) -> ReportData:
    start, end = year_bounds(year)
    sections = [
        _students_by_status(program),
        _milestone_on_time(program, start, end),
        _supervision_contacts(program, start, end),
        case_totals_section(Q(student__program=program, date__gte=start, date__lt=end)),
        _findings_by_severity(program, start, end),
        _evaluation_averages(program, year),
        _partner_ranking(program, end),
        _projects(program),
        _reward_points(Q(program=program, earned_on__gte=start, earned_on__lt=end)),
    ]
    return ReportData(
        kind="program_annual",
        title=_("Annual report"),
        subject=f"{program.code} {program.title}",
        period=str(year),
        subject_key={"program": program.pk, "year": year},
        sections=sections,
    )


def program_dashboard(program: Program, year: int) -> list[Section]:
    """The live charts of a program's dashboard: the annual report's main sections."""
    start, end = year_bounds(year)
    return [
        _milestone_on_time(program, start, end),
        _supervision_contacts(program, start, end),
        case_totals_section(Q(student__program=program, date__gte=start, date__lt=end)),
        _findings_by_severity(program, start, end),
        _evaluation_averages(program, year),
        _partner_ranking(program, end),
    ]


def _students_by_status(program: Program) -> Section:
    counts = dict(
        Student.objects.filter(program=program)
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("status", "n")
    )
    rows = [[code, counts[code]] for code in Student.Status.values if code in counts]
    labels = choice_labels(Student.Status.choices)
    return Section(
        key="students_by_status",
        title=_("Students by status"),
        columns=[_("Status"), _("Students")],
        rows=rows,
        labels={0: labels},
        chart=charts.donut_chart(
            [(labels[str(code)], n) for code, n in rows],
            title=_("Students by status"),
            empty_label=_("No students."),
        ),
    )


def _milestone_on_time(program: Program, start: dt.date, end: dt.date) -> Section:
    """Per month of the due date: milestones due, completed on time, and the on-time rate."""
    found = {
        row["month"]: row
        for row in Milestone.objects.filter(
            student__program=program, due_date__gte=start, due_date__lt=end
        )
        .annotate(month=ExtractMonth("due_date"))
        .values("month")
        .annotate(
            due=Count("pk"),
            on_time=Count(
                "pk",
                filter=Q(completed_on__isnull=False, completed_on__lte=F("due_date")),
            ),
        )
        .order_by()
    }
    months = month_labels()
    rows: list[list[Any]] = []
    total_due = total_on_time = 0
    for month in range(1, 13):
        row = found.get(month)
        due = row["due"] if row else 0
        on_time = row["on_time"] if row else 0
        total_due += due
        total_on_time += on_time
        rate = two_places(Decimal(on_time) * 100 / due) if due else None
        rows.append([month, due, on_time, rate])
    overall = two_places(Decimal(total_on_time) * 100 / total_due) if total_due else None
    return Section(
        key="milestone_on_time",
        title=_("Milestone on-time rate"),
        columns=[_("Month"), _("Due"), _("Completed on time"), _("On-time rate (%)")],
        rows=rows,
        labels={0: {str(m): months[m - 1] for m in range(1, 13)}},
        chart=charts.line_chart(
            [(months[month - 1], rate) for month, _due, _on_time, rate in rows],
            title=_("Milestone on-time rate"),
            empty_label=_("No milestones were due."),
            max_value=100,
            suffix="%",
        ),
        note=(
            _("Overall: %(rate)s%% of %(due)s milestones completed on time.")
            % {"rate": overall, "due": total_due}
            if overall is not None
            else ""
        ),
    )


def _supervision_contacts(program: Program, start: dt.date, end: dt.date) -> Section:
    found = dict(
        ProgressLog.objects.filter(student__program=program, date__gte=start, date__lt=end)
        .annotate(month=ExtractMonth("date"))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("month", "n")
    )
    months = month_labels()
    rows = [[month, found.get(month, 0)] for month in range(1, 13)]
    return Section(
        key="supervision_contacts",
        title=_("Supervision contacts per month"),
        columns=[_("Month"), _("Contacts")],
        rows=rows,
        labels={0: {str(m): months[m - 1] for m in range(1, 13)}},
        chart=charts.line_chart(
            [(months[month - 1], n) for month, n in rows],
            title=_("Supervision contacts per month"),
            empty_label=_("No supervision contacts."),
        ),
    )


def _findings_by_severity(program: Program, start: dt.date, end: dt.date) -> Section:
    """The findings that existed during the year (found before its end, not gone before it)."""
    return findings_by_severity_section(
        Q(program=program, first_seen_at__date__lt=end)
        & (Q(gone_at__isnull=True) | Q(gone_at__date__gte=start)),
        title=_("Findings by severity"),
    )


def _evaluation_averages(program: Program, year: int) -> Section:
    """Per indicator: the average of the named scores, and of the anonymous answers when
    there are at least EVALUATION_MIN_ANONYMOUS of them, over the rounds ending in `year`."""
    start, end = year_bounds(year)
    in_year = Q(period_end__gte=start, period_end__lt=end)
    indicators = list(
        Indicator.objects.filter(program=program)
        .order_by("position", "pk")
        .values("pk", "name", "scale_min", "scale_max")
    )
    named = {
        row["indicator_id"]: row
        for row in Score.objects.filter(
            indicator__program=program,
            evaluation__round__program=program,
            evaluation__round__period_end__gte=start,
            evaluation__round__period_end__lt=end,
        )
        .values("indicator_id")
        .annotate(avg=Avg("value"), n=Count("pk"))
        .order_by()
    }
    sums: dict[str, Decimal] = {}
    counts: dict[str, int] = {}
    # Anonymous answers count once their round is closed (see evaluations.services).
    closed_rounds = EvaluationRound.objects.filter(
        in_year, program=program, status=EvaluationRound.Status.CLOSED
    )
    minimum = settings.EVALUATION_MIN_ANONYMOUS
    # Per round first: a round counts for an indicator with at least the minimum number of
    # answers of its own (the year's averages before and after a round closes differ by that
    # round's answers alone).
    per_round: dict[tuple[int, str], list[Decimal]] = defaultdict(list)
    for round_id, scores in AnonymousAnswer.objects.filter(
        round__in=closed_rounds.values("pk")
    ).values_list("round_id", "scores"):
        for key, value in (scores or {}).items():
            if value is not None:
                per_round[(round_id, str(key))].append(Decimal(str(value)))
    for (_round_id, key), values in per_round.items():
        if len(values) >= minimum:
            sums[key] = sums.get(key, Decimal(0)) + sum(values, Decimal(0))
            counts[key] = counts.get(key, 0) + len(values)
    rows: list[list[Any]] = []
    for indicator in indicators:
        got = named.get(indicator["pk"])
        key = str(indicator["pk"])
        anonymous_n = counts.get(key, 0)
        anonymous_avg = (
            two_places(sums[key] / anonymous_n) if anonymous_n >= minimum and anonymous_n else None
        )
        rows.append(
            [
                indicator["name"],
                f"{indicator['scale_min']}-{indicator['scale_max']}",
                two_places(got["avg"]) if got else None,
                got["n"] if got else 0,
                anonymous_avg,
                anonymous_n if anonymous_n >= minimum else None,
            ]
        )
    top = max([indicator["scale_max"] for indicator in indicators] + [1])
    return Section(
        key="evaluation_averages",
        title=_("Evaluation averages per indicator"),
        columns=[
            _("Indicator"),
            _("Scale"),
            _("Average (named)"),
            _("Scores"),
            _("Average (anonymous)"),
            _("Anonymous answers"),
        ],
        rows=rows,
        chart=charts.bar_chart(
            [(row[0], row[2]) for row in rows],
            title=_("Evaluation averages per indicator"),
            empty_label=_("No evaluations."),
            max_value=top,
        ),
        note=ngettext(
            "Anonymous answers are shown only as averages of at least %(n)s answer.",
            "Anonymous answers are shown only as averages of at least %(n)s answers.",
            minimum,
        )
        % {"n": minimum},
    )


def _partner_ranking(program: Program, end: dt.date) -> Section:
    """The program's partners in the latest finished score run that began before `end`."""
    latest = (
        PartnerScoreRun.objects.filter(finished_at__isnull=False, period_start__lt=end)
        .order_by("-period_end", "-pk")
        .values("pk")[:1]
    )
    partners = ProgramPartner.objects.filter(program=program).values("organization_id")
    scores = list(
        PartnerScore.objects.filter(run=Subquery(latest), organization__in=partners)
        .select_related("organization", "run")
        .order_by("-score", "organization__name")
    )
    rows = [
        [
            score.run.label,
            score.organization.name,
            score.kind,
            two_places(score.score),
            score.rank,
            score.recommendation or None,
        ]
        for score in scores
    ]
    return Section(
        key="partner_ranking",
        title=_("Partner ranking"),
        columns=[
            _("Period"),
            _("Organisation"),
            _("Kind"),
            _("Score"),
            _("Rank in kind"),
            _("Recommendation"),
        ],
        rows=rows,
        labels={
            2: choice_labels(OrganizationKind.choices),
            5: choice_labels(PartnerScore.Recommendation.choices),
        },
        chart=charts.bar_chart(
            [(row[1], row[3]) for row in rows],
            title=_("Partner ranking"),
            empty_label=_("No partner scores yet."),
            max_value=100,
        ),
    )


def _projects(program: Program) -> Section:
    rows = count_rows(Project.objects.filter(program=program), "status", "size")
    return Section(
        key="projects",
        title=_("Projects"),
        columns=[_("Status"), _("Size"), _("Projects")],
        rows=rows,
        labels={0: choice_labels(Project.Status.choices), 1: choice_labels(Project.Size.choices)},
    )


def _reward_points(filter_q: Q) -> Section:
    """Points per organisation, and the members' points together."""
    entries = RewardEntry.objects.filter(filter_q)
    organizations = list(
        entries.filter(organization__isnull=False)
        .values("organization__name")
        .annotate(points=Sum("points"))
        .order_by("-points", "organization__name")
    )
    members = entries.filter(user__isnull=False).aggregate(
        points=Sum("points"), n=Count("user", distinct=True)
    )
    rows: list[list[Any]] = [
        ["organisation", row["organization__name"], two_places(row["points"])]
        for row in organizations
    ]
    if members["points"] is not None:
        rows.append(["members", str(members["n"]), two_places(members["points"])])
    return Section(
        key="reward_points",
        title=_("Reward points"),
        columns=[_("Recipient"), _("Organisation or number of members"), _("Points")],
        rows=rows,
        labels={0: {"organisation": _("Organisation"), "members": _("Project members")}},
        chart=charts.bar_chart(
            [(row[1], row[2]) for row in rows if row[0] == "organisation"][:15],
            title=_("Reward points"),
            empty_label=_("No reward points."),
        ),
    )
