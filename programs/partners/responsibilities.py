"""How each of the ten partner responsibilities shows in the records: one definition read by
the audit rule `responsibility_unfulfilled` (supervision) and by the program's
responsibility matrix page, so that the page shows the evidence the rule decides on.

A check names the rows that count as activity for a responsibility in a period (placements
hosted, courses delivered, students supervised, projects, budget lines held, counsellors
posted, inspections undergone), the path from such a row to the partner's program (None:
the activity is the organisation's, whatever the program) and the paths to the partner's
organisation. Programs registers its own checks; supervision registers the check of
external supervision (inspections live there: programs does not import supervision), from
its `AppConfig.ready()`, with `register_check`.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import reduce
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, F, Q, QuerySet
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import RoleMembership
from accounts.roles import Role

from ..models import (
    BudgetLine,
    Course,
    Organization,
    Placement,
    Program,
    ProgramPartner,
    Project,
    TutorAssignment,
)
from ..models.programs import Responsibility

__all__ = [
    "DEFAULT_PERIOD_DAYS",
    "Cell",
    "Evidence",
    "ResponsibilityCheck",
    "activity_exists",
    "check_for",
    "matrix",
    "period_days_for",
    "register_check",
    "register_period",
]

#: The period in which a responsibility must show activity, unless the rule's setting says
#: otherwise.
DEFAULT_PERIOD_DAYS = 365
#: Evidence rows shown per cell of the matrix (the count says how many there are in all).
EVIDENCE_SHOWN = 5


@dataclass(frozen=True)
class Evidence:
    label: str
    url: str = ""


@dataclass(frozen=True)
class ResponsibilityCheck:
    """Rows of `rows(since, today)` are activity of the partner whose organisation one of
    `organization_paths` names, in the program `program_path` names (None: any program)."""

    #: What the evidence is, for the page ("Placements hosted").
    label: str | Promise
    rows: Callable[[dt.date, dt.date], QuerySet[Any]]
    organization_paths: tuple[str, ...]
    program_path: str | None
    describe: Callable[[Any], Evidence]

    def _of_organization(self, value: Any, lookup: str = "") -> Q:
        return reduce(
            operator.or_, (Q(**{f"{path}{lookup}": value}) for path in self.organization_paths)
        )

    def exists(self, *, organization: Any, program: Any, since: dt.date, today: dt.date) -> Exists:
        """Whether the partner (its organisation and program as values or OuterRefs) shows
        this activity in the period."""
        rows = self.rows(since, today).filter(self._of_organization(organization))
        if self.program_path is not None:
            rows = rows.filter(**{self.program_path: program})
        return Exists(rows)

    def evidence(
        self, *, program_id: int, organization_ids: Iterable[int], since: dt.date, today: dt.date
    ) -> dict[int, list[Evidence]]:
        """The activity of every listed organisation in the program, in one query whatever
        the number of partners (a row reached by several paths, e.g. a project's lead and
        partners, comes once per path and is kept once per organisation)."""
        ids = set(organization_ids)
        rows = self.rows(since, today).filter(self._of_organization(list(ids), "__in"))
        if self.program_path is not None:
            rows = rows.filter(**{self.program_path: program_id})
        owners = {f"owner_{n}": F(path) for n, path in enumerate(self.organization_paths)}
        found: dict[int, dict[int, Evidence]] = {}
        for row in rows.annotate(**owners):
            for name in owners:
                organization_id = getattr(row, name)
                if organization_id in ids and row.pk not in found.get(organization_id, {}):
                    found.setdefault(organization_id, {})[row.pk] = self.describe(row)
        return {organization_id: list(items.values()) for organization_id, items in found.items()}


_checks: dict[str, ResponsibilityCheck] = {}
#: The period of a program's checks, as the audit rule's settings say (supervision registers
#: it; without it, the default).
_period: Callable[[Program], int] | None = None


def register_check(responsibility: str, check: ResponsibilityCheck) -> None:
    """Say how `responsibility` shows in the records (apps call this from ready())."""
    if responsibility not in Responsibility.values:
        raise ValueError(f"{responsibility!r} is not a responsibility")
    _checks[responsibility] = check


def check_for(responsibility: str) -> ResponsibilityCheck | None:
    return _checks.get(responsibility)


def register_period(period_days: Callable[[Program], int]) -> None:
    """Say how many days back a program's responsibilities are checked (the rule's setting)."""
    global _period
    _period = period_days


def period_days_for(program: Program) -> int:
    return _period(program) if _period is not None else DEFAULT_PERIOD_DAYS


def activity_exists(
    *, since: dt.date, today: dt.date, prefix: str = "partner__"
) -> dict[str, Exists]:
    """For the audit rule: per checked responsibility, an Exists() of the activity of the
    partner named by OuterRef(f"{prefix}organization_id") / OuterRef(f"{prefix}program_id")."""
    from django.db.models import OuterRef

    organization = OuterRef(f"{prefix}organization_id")
    program = OuterRef(f"{prefix}program_id")
    return {
        responsibility: check.exists(
            organization=organization, program=program, since=since, today=today
        )
        for responsibility, check in _checks.items()
    }


# ---- The page ------------------------------------------------------------------------------


@dataclass
class Cell:
    """One partner and one responsibility: held or not, and what the records show."""

    responsibility: str
    held: bool
    checked: bool
    evidence: list[Evidence]

    @property
    def state(self) -> str:
        if not self.held:
            return "not_held"
        if not self.checked:
            return "not_checked"
        return "fulfilled" if self.evidence else "unfulfilled"

    @property
    def shown(self) -> list[Evidence]:
        return self.evidence[:EVIDENCE_SHOWN]

    @property
    def more(self) -> int:
        return max(0, len(self.evidence) - EVIDENCE_SHOWN)


@dataclass
class Row:
    partner: ProgramPartner
    cells: list[Cell]


def matrix(
    program: Program, *, today: dt.date, period_days: int = DEFAULT_PERIOD_DAYS
) -> list[Row]:
    """The program's partners against the ten responsibilities. A held responsibility is checked as
    the audit rule checks it: the partner is active and its agreement started before the
    period; then it is fulfilled when the records show matching activity in the period."""
    since = today - dt.timedelta(days=period_days)
    partners = list(
        ProgramPartner.objects.filter(program=program)
        .select_related("organization")
        .prefetch_related("responsibilities")
        .order_by("organization__name", "pk")
    )
    organization_ids = [partner.organization_id for partner in partners]
    found: dict[int, dict[int, list[Evidence]]] = {}  # id(check) → organisation → evidence
    rows = []
    for partner in partners:
        held = {r.responsibility for r in partner.responsibilities.all()}
        in_scope = partner.is_active and partner.agreement_start <= since
        cells = []
        for responsibility in Responsibility.values:
            check = _checks.get(responsibility)
            evidence: list[Evidence] = []
            if check is not None and organization_ids:
                if id(check) not in found:
                    found[id(check)] = check.evidence(
                        program_id=program.pk,
                        organization_ids=organization_ids,
                        since=since,
                        today=today,
                    )
                evidence = found[id(check)].get(partner.organization_id, [])
            cells.append(
                Cell(
                    responsibility=responsibility,
                    held=responsibility in held,
                    checked=in_scope and check is not None,
                    evidence=evidence,
                )
            )
        rows.append(Row(partner=partner, cells=cells))
    return rows


# ---- The checks of programs ----------------------------------------------------------------


def _placements(since: dt.date, today: dt.date) -> QuerySet[Any]:
    return (
        Placement.objects.filter(end_date__gte=since, start_date__lte=today)
        .exclude(status=Placement.Status.CANCELLED)
        .select_related("student__user")
        .order_by("-start_date", "pk")
    )


def _placement(row: Placement) -> Evidence:
    return Evidence(
        _("Placement of %(student)s, %(start)s to %(end)s")
        % {"student": row.student.user, "start": row.start_date, "end": row.end_date},
        reverse("programs:student", args=[row.student_id]),
    )


def _courses(since: dt.date, today: dt.date) -> QuerySet[Any]:
    return Course.objects.order_by("code", "pk")


def _course(row: Course) -> Evidence:
    return Evidence(str(row))


def _supervision(since: dt.date, today: dt.date) -> QuerySet[Any]:
    return (
        TutorAssignment.objects.filter(Q(ended_on__isnull=True) | Q(ended_on__gte=since))
        .select_related("tutor__user", "student__user")
        .order_by("-started_on", "pk")
    )


def _assignment(row: TutorAssignment) -> Evidence:
    return Evidence(
        _("%(tutor)s supervises %(student)s")
        % {"tutor": row.tutor.user, "student": row.student.user},
        reverse("programs:student", args=[row.student_id]),
    )


def _projects(since: dt.date, today: dt.date) -> QuerySet[Any]:
    return Project.objects.order_by("title", "pk")


def _transfer_projects(since: dt.date, today: dt.date) -> QuerySet[Any]:
    return _projects(since, today).filter(
        kind__in=(Project.Kind.ENGINEERING, Project.Kind.INNOVATION, Project.Kind.ENTREPRENEURSHIP)
    )


def _project(row: Project) -> Evidence:
    return Evidence(row.title, reverse("programs:project-detail", args=[row.pk]))


def _budget_lines(since: dt.date, today: dt.date) -> QuerySet[Any]:
    return BudgetLine.objects.filter(end_date__gte=since).order_by("-start_date", "pk")


def _budget_line(row: BudgetLine) -> Evidence:
    return Evidence(row.title, reverse("programs:budget-line-detail", args=[row.pk]))


def _counsellors(since: dt.date, today: dt.date) -> QuerySet[Any]:
    return (
        RoleMembership.objects.current(today)
        .of_role(Role.COUNSELLOR)
        .filter(scope_type=ContentType.objects.get_for_model(Organization))
        .select_related("user")
        .order_by("pk")
    )


def _counsellor(row: RoleMembership) -> Evidence:
    return Evidence(_("Counsellor: %(person)s") % {"person": row.user})


HOSTED = ResponsibilityCheck(
    _("Placements hosted"), _placements, ("host_id",), "student__program_id", _placement
)
TAUGHT = ResponsibilityCheck(
    _("Courses delivered in the curriculum"),
    _courses,
    ("delivering_organization_id",),
    "in_programs__program_id",
    _course,
)


def register_checks() -> None:
    """The checks of the responsibilities programs know; called once from `partners.hooks`."""
    register_check(Responsibility.CLINICAL_PRACTICE, HOSTED)
    register_check(Responsibility.PRACTICAL_TRAINING, HOSTED)
    register_check(Responsibility.TEACHING, TAUGHT)
    register_check(Responsibility.CURRICULUM_SETTING, TAUGHT)
    register_check(
        Responsibility.TUTOR_SUPERVISION,
        ResponsibilityCheck(
            _("Students supervised by its tutors"),
            _supervision,
            ("tutor__organization_id",),
            "student__program_id",
            _assignment,
        ),
    )
    register_check(
        Responsibility.RESEARCH_TRAINING,
        ResponsibilityCheck(
            _("Projects it leads or takes part in"),
            _projects,
            ("lead_organization_id", "partner_organizations"),
            "program_id",
            _project,
        ),
    )
    register_check(
        Responsibility.KNOWLEDGE_TRANSFER,
        ResponsibilityCheck(
            _("Engineering, innovation or entrepreneurship projects"),
            _transfer_projects,
            ("lead_organization_id", "partner_organizations"),
            "program_id",
            _project,
        ),
    )
    register_check(
        Responsibility.FUNDING,
        ResponsibilityCheck(
            _("Budget lines it holds"), _budget_lines, ("holder_id",), "program_id", _budget_line
        ),
    )
    register_check(
        Responsibility.MENTAL_HEALTH_SERVICE,
        ResponsibilityCheck(
            _("Counsellors posted at the organisation"),
            _counsellors,
            ("scope_id",),
            None,
            _counsellor,
        ),
    )
