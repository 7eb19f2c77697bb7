"""The data of the reports, read set-based: a fixed number of queries per report, however
many students, milestones, logs or scores lie behind it.

Each builder returns a `ReportData`: sections of rows of raw values (codes for choices,
Decimals, dates), the labels to show them with in the current language, and a chart per
section where one helps. `ReportData.canonical()` is the language-independent content that
the report's SHA-256 hash is taken of: the same inputs give the same hash.

Anonymous evaluation answers appear only as per-indicator aggregates of at least
`settings.EVALUATION_MIN_ANONYMOUS` answers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db.models import Avg, Count, F, Q, Subquery, Sum
from django.db.models.functions import ExtractMonth, ExtractYear
from django.utils.formats import date_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from programs.models import (
    CaseLog,
    Course,
    Milestone,
    MilestoneTemplate,
    Organization,
    PartnerResponsibility,
    Placement,
    Program,
    ProgramPartner,
    ProgressLog,
    Project,
    ProjectMember,
    Student,
    TrainingPlan,
)
from programs.models.organizations import OrganizationKind
from programs.models.programs import CourseCategory, Responsibility
from programs.models.training import Modality
from supervision.models import Finding
from supervision.models.audit import Severity
from training_portal.core import charts

from ..models import (
    AnonymousAnswer,
    Evaluation,
    EvaluationRound,
    Indicator,
    PartnerScore,
    PartnerScoreRun,
    RewardEntry,
    Score,
    Source,
)

TWO = Decimal("0.01")

#: Labels of the components of a partner score (unknown components show their key).
COMPONENT_LABELS = {
    "evaluations": gettext_lazy("Evaluations"),
    "responsibilities": gettext_lazy("Responsibilities fulfilled"),
    "findings": gettext_lazy("Open findings"),
    "funds": gettext_lazy("Fund compliance"),
    "fund_compliance": gettext_lazy("Fund compliance"),
    "points": gettext_lazy("Reward points"),
    "reward_points": gettext_lazy("Reward points"),
}


@dataclass
class Section:
    """One table of a report: raw rows, and how to label their coded columns."""

    key: str
    title: str
    columns: list[str]
    rows: list[list[Any]]
    labels: dict[int, dict[str, str]] = field(default_factory=dict)
    chart: SafeString | None = None
    note: str = ""

    def display_rows(self) -> list[list[Any]]:
        """The rows as shown: codes replaced by their labels, empty values as ''."""
        shown = []
        for row in self.rows:
            cells = []
            for index, value in enumerate(row):
                if index in self.labels and value is not None:
                    value = self.labels[index].get(str(value), value)
                cells.append("" if value is None else value)
            shown.append(cells)
        return shown


@dataclass
class ReportData:
    kind: str
    title: str
    subject: str
    period: str
    subject_key: dict[str, Any]
    sections: list[Section]

    def section(self, key: str) -> Section:
        return next(section for section in self.sections if section.key == key)

    def canonical(self) -> dict[str, Any]:
        """The content, without labels: the same inputs give the same canonical data."""
        return {
            "kind": self.kind,
            "subject": self.subject_key,
            "sections": {section.key: section.rows for section in self.sections},
        }

    def content_hash(self) -> str:
        payload = json.dumps(
            self.canonical(), sort_keys=True, separators=(",", ":"), default=_json_value
        )
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _q(value: Any) -> Decimal | None:
    """Two decimals, or None."""
    if value is None:
        return None
    return Decimal(value).quantize(TWO, rounding=ROUND_HALF_UP)


def _choices(choices: Sequence[tuple[str, Any]]) -> dict[str, str]:
    return {str(code): str(label) for code, label in choices}


def _year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year + 1, 1, 1)


def _month_labels() -> list[str]:
    return [date_format(dt.date(2000, month, 1), "M") for month in range(1, 13)]


def _component_label(key: str) -> str:
    label = COMPONENT_LABELS.get(key)
    return str(label) if label is not None else key


# ---- Sections shared by several reports --------------------------------------------------


def case_totals_section(filter_q: Q) -> Section:
    """Case-log totals by modality (entries and cases), in the catalogue's order."""
    found = {
        row["modality"]: row
        for row in CaseLog.objects.counted()
        .filter(filter_q)
        .values("modality")
        .annotate(entries=Count("pk"), cases=Sum("count"))
        .order_by()
    }
    rows = [
        [code, found[code]["entries"], found[code]["cases"] or 0]
        for code in Modality.values
        if code in found
    ]
    labels = _choices(Modality.choices)
    return Section(
        key="case_totals",
        title=_("Case-log totals by modality"),
        columns=[_("Modality"), _("Entries"), _("Cases")],
        rows=rows,
        labels={0: labels},
        chart=charts.bar_chart(
            [(labels[code], cases) for code, _entries, cases in rows],
            title=_("Case-log totals by modality"),
            empty_label=_("No cases recorded."),
        ),
    )


# ---- A program's annual report -----------------------------------------------------------


def program_annual(program: Program, year: int) -> ReportData:
    start, end = _year_bounds(year)
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
    start, end = _year_bounds(year)
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
    labels = _choices(Student.Status.choices)
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
    months = _month_labels()
    rows: list[list[Any]] = []
    total_due = total_on_time = 0
    for month in range(1, 13):
        row = found.get(month)
        due = row["due"] if row else 0
        on_time = row["on_time"] if row else 0
        total_due += due
        total_on_time += on_time
        rate = _q(Decimal(on_time) * 100 / due) if due else None
        rows.append([month, due, on_time, rate])
    overall = _q(Decimal(total_on_time) * 100 / total_due) if total_due else None
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
    months = _month_labels()
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


def findings_by_severity_section(filter_q: Q, *, title: str) -> Section:
    found = {
        row["severity"]: row
        for row in Finding.objects.filter(filter_q)
        .values("severity")
        .annotate(total=Count("pk"), active=Count("pk", filter=Q(status__in=list(Finding.ACTIVE))))
        .order_by()
    }
    rows = [
        [code, found[code]["total"], found[code]["active"]]
        for code in reversed(Severity.values)
        if code in found
    ]
    labels = _choices(Severity.choices)
    return Section(
        key="findings_by_severity",
        title=title,
        columns=[_("Severity"), _("Findings"), _("Still open")],
        rows=rows,
        labels={0: labels},
        chart=charts.bar_chart(
            [(labels[str(code)], total) for code, total, _active in rows],
            title=title,
            empty_label=_("No findings."),
            colours=[charts.SEVERITY_COLOURS.get(code, charts.PALETTE[0]) for code, *_ in rows],
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
    start, end = _year_bounds(year)
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
            _q(sums[key] / anonymous_n) if anonymous_n >= minimum and anonymous_n else None
        )
        rows.append(
            [
                indicator["name"],
                f"{indicator['scale_min']}-{indicator['scale_max']}",
                _q(got["avg"]) if got else None,
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
            _q(score.score),
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
            2: _choices(OrganizationKind.choices),
            5: _choices(PartnerScore.Recommendation.choices),
        },
        chart=charts.bar_chart(
            [(row[1], row[3]) for row in rows],
            title=_("Partner ranking"),
            empty_label=_("No partner scores yet."),
            max_value=100,
        ),
    )


def _projects(program: Program) -> Section:
    rows = [
        [row["status"], row["size"], row["n"]]
        for row in Project.objects.filter(program=program)
        .values("status", "size")
        .annotate(n=Count("pk"))
        .order_by("status", "size")
    ]
    return Section(
        key="projects",
        title=_("Projects"),
        columns=[_("Status"), _("Size"), _("Projects")],
        rows=rows,
        labels={0: _choices(Project.Status.choices), 1: _choices(Project.Size.choices)},
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
        ["organisation", row["organization__name"], _q(row["points"])] for row in organizations
    ]
    if members["points"] is not None:
        rows.append(["members", str(members["n"]), _q(members["points"])])
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


# ---- A partner's scorecard ---------------------------------------------------------------


def partner_scorecard(organization: Organization) -> ReportData:
    scores = list(
        PartnerScore.objects.filter(organization=organization, run__finished_at__isnull=False)
        .select_related("run")
        .order_by("run__period_end", "run__pk")
    )
    component_keys = sorted({key for score in scores for key in (score.components or {})})
    score_rows = [
        [
            score.run.label,
            score.run.period_end,
            _q(score.score),
            score.rank,
            score.recommendation or None,
            *[_q(_number((score.components or {}).get(key))) for key in component_keys],
        ]
        for score in scores
    ]
    sections = [
        Section(
            key="scores",
            title=_("Scores over periods"),
            columns=[
                _("Period"),
                _("Period end"),
                _("Score"),
                _("Rank in kind"),
                _("Recommendation"),
                *[_component_label(key) for key in component_keys],
            ],
            rows=score_rows,
            labels={4: _choices(PartnerScore.Recommendation.choices)},
            chart=charts.line_chart(
                [(row[0], row[2]) for row in score_rows],
                title=_("Scores over periods"),
                empty_label=_("No scores yet."),
                max_value=100,
            ),
        ),
        _latest_components(scores, component_keys),
        _placements_hosted(organization),
        _responsibilities(organization),
        findings_by_severity_section(
            Q(organization=organization, status__in=list(Finding.ACTIVE)),
            title=_("Open findings by severity"),
        ),
        _points_by_year(organization),
    ]
    return ReportData(
        kind="partner_scorecard",
        title=_("Partner scorecard"),
        subject=organization.name,
        period=scores[-1].run.label if scores else "",
        subject_key={"organization": organization.pk},
        sections=sections,
    )


def _number(value: Any) -> Any:
    try:
        return Decimal(str(value)) if value is not None else None
    except ArithmeticError:
        return None


def _latest_components(scores: list[PartnerScore], keys: list[str]) -> Section:
    latest = scores[-1] if scores else None
    rows = (
        [[key, _q(_number((latest.components or {}).get(key)))] for key in keys] if latest else []
    )
    return Section(
        key="latest_components",
        title=_("Latest score's components"),
        columns=[_("Component"), _("Value (0-100)")],
        rows=rows,
        labels={0: {key: _component_label(key) for key in keys}},
        chart=charts.bar_chart(
            [(_component_label(str(key)), value) for key, value in rows],
            title=_("Latest score's components"),
            empty_label=_("No scores yet."),
            max_value=100,
        ),
    )


def _placements_hosted(organization: Organization) -> Section:
    rows = [
        [row["student__program__code"], row["status"], row["n"]]
        for row in Placement.objects.filter(host=organization)
        .values("student__program__code", "status")
        .annotate(n=Count("pk"))
        .order_by("student__program__code", "status")
    ]
    return Section(
        key="placements",
        title=_("Placements hosted"),
        columns=[_("Program"), _("Status"), _("Placements")],
        rows=rows,
        labels={1: _choices(Placement.Status.choices)},
    )


def _responsibilities(organization: Organization) -> Section:
    rows = [
        [code, responsibility, active]
        for code, responsibility, active in PartnerResponsibility.objects.filter(
            partner__organization=organization
        )
        .order_by("partner__program__code", "responsibility")
        .values_list("partner__program__code", "responsibility", "partner__is_active")
    ]
    return Section(
        key="responsibilities",
        title=_("Responsibilities"),
        columns=[_("Program"), _("Responsibility"), _("Partnership active")],
        rows=rows,
        labels={1: _choices(Responsibility.choices), 2: {"True": _("Yes"), "False": _("No")}},
    )


def _points_by_year(organization: Organization) -> Section:
    rows = [
        [row["year"], _q(row["points"])]
        for row in RewardEntry.objects.filter(organization=organization)
        .annotate(year=ExtractYear("earned_on"))
        .values("year")
        .annotate(points=Sum("points"))
        .order_by("year")
    ]
    return Section(
        key="points",
        title=_("Reward points per year"),
        columns=[_("Year"), _("Points")],
        rows=rows,
        chart=charts.bar_chart(
            [(str(year), points) for year, points in rows],
            title=_("Reward points per year"),
            empty_label=_("No reward points."),
        ),
    )


# ---- A student's training record ---------------------------------------------------------


def student_record(student: Student) -> ReportData:
    plan = (
        TrainingPlan.objects.filter(student=student)
        .order_by("-version")
        .values("pk", "version", "status", "career_goal", "personal_objectives")
        .first()
    )
    sections = [
        Section(
            key="plan",
            title=_("Training plan"),
            columns=[_("Version"), _("Status"), _("Career goal"), _("Personal objectives")],
            rows=[
                [plan["version"], plan["status"], plan["career_goal"], plan["personal_objectives"]]
            ]
            if plan
            else [],
            labels={
                1: _choices(TrainingPlan.Status.choices),
                2: _choices(TrainingPlan.CareerGoal.choices),
            },
        ),
        _plan_courses(plan["pk"] if plan else None),
        _student_milestones(student),
        _student_placements(student),
        case_totals_section(Q(student=student)),
        _student_projects(student),
        _student_evaluations(student),
    ]
    return ReportData(
        kind="student_record",
        title=_("Training record"),
        subject=f"{student.user} ({student.student_number})",
        period="",
        subject_key={"student": student.pk},
        sections=sections,
    )


def _plan_courses(plan_id: int | None) -> Section:
    rows = (
        [
            [code, title, _q(credits), category]
            for code, title, credits, category in Course.objects.filter(plans=plan_id)
            .order_by("code")
            .values_list("code", "title", "credits", "category")
        ]
        if plan_id
        else []
    )
    return Section(
        key="courses",
        title=_("Courses"),
        columns=[_("Code"), _("Title"), _("Credits"), _("Category")],
        rows=rows,
        labels={3: _choices(CourseCategory.choices)},
    )


def _student_milestones(student: Student) -> Section:
    rows = [
        list(values)
        for values in Milestone.objects.filter(student=student)
        .order_by("due_date", "pk")
        .values_list("title", "kind", "due_date", "completed_on", "signed_off_at__date")
    ]
    return Section(
        key="milestones",
        title=_("Milestones"),
        columns=[_("Milestone"), _("Kind"), _("Due"), _("Completed"), _("Signed off")],
        rows=rows,
        labels={1: _choices(MilestoneTemplate.Kind.choices)},
    )


def _student_placements(student: Student) -> Section:
    rows = [
        list(values)
        for values in Placement.objects.filter(student=student)
        .order_by("start_date", "pk")
        .values_list("host__name", "start_date", "end_date", "status")
    ]
    return Section(
        key="placements",
        title=_("Placements"),
        columns=[_("Host"), _("Start"), _("End"), _("Status")],
        rows=rows,
        labels={3: _choices(Placement.Status.choices)},
    )


def _student_projects(student: Student) -> Section:
    rows = [
        list(values)
        for values in ProjectMember.objects.filter(user=student.user_id)
        .order_by("project__title", "pk")
        .values_list("project__title", "project__kind", "project__size", "project__status", "role")
    ]
    return Section(
        key="projects",
        title=_("Projects"),
        columns=[_("Project"), _("Kind"), _("Size"), _("Status"), _("Role")],
        rows=rows,
        labels={
            1: _choices(Project.Kind.choices),
            2: _choices(Project.Size.choices),
            3: _choices(Project.Status.choices),
            4: _choices(ProjectMember.Role.choices),
        },
    )


def _student_evaluations(student: Student) -> Section:
    rows = [
        [title, period_end, source, _q(total), submitted_at.date()]
        for title, period_end, source, total, submitted_at in Evaluation.objects.filter(
            subject_kind="student", student=student
        )
        .order_by("round__period_end", "submitted_at", "pk")
        .values_list("round__title", "round__period_end", "source", "total", "submitted_at")
    ]
    return Section(
        key="evaluations",
        title=_("Evaluations"),
        columns=[_("Round"), _("Period end"), _("Source"), _("Weighted total"), _("Submitted")],
        rows=rows,
        labels={2: _choices(Source.choices)},
        chart=charts.bar_chart(
            [(f"{row[0]} · {Source(str(row[2])).label}", row[3]) for row in rows][:20],
            title=_("Evaluations"),
            empty_label=_("No evaluations."),
            max_value=100,
        ),
    )


BUILDERS: dict[str, Callable[..., ReportData]] = {
    "program_annual": program_annual,
    "partner_scorecard": partner_scorecard,
    "student_record": student_record,
}
