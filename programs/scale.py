"""Scale data: N students with everything around them, for measuring the portal.

`seed_scale(students=N)` builds a consistent data set: programs (one per 2,000 students by
default), organisations of several kinds as partners with responsibilities, courses and
curriculum, stages and milestone templates, academic tutors (about one per five students)
and practice tutors, users and scoped role memberships, dual supervision, one training plan
per student (with courses, case targets and its transitions), milestones, a placement,
projects with members and outputs, about 20 progress logs and 10 case logs per student,
budget lines and expenditures.

Deterministic: every value comes from one `random.Random(seed)` in a fixed order, so the same
seed and anchor date (today by default) give the same data, apart from primary keys and
the moments of creation. Rows are written in bulk: COPY on PostgreSQL, `bulk_create` in
chunks elsewhere (or on request). The history triggers are ignored while seeding
(`pgtrigger.ignore`): generated data needs no history. On PostgreSQL, when the role may,
the transaction also runs with `session_replication_role = replica`, so that no trigger
fires at all, not even the per-row foreign-key checks (five times the cost of the rows
themselves); every foreign key of the tables written is then verified with one anti-join
instead, and the transaction fails if any row points nowhere (`row_checks=True` keeps the
per-row checks).

Scale data cannot collide with the demo: e-mails `scale-…@scale.example`, program, course and
student codes `SCALE-…`, organisation names `[scale] …`. Seeding again first deletes the
previous scale data (`purge_scale_data`), in the same transaction.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import random
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pgtrigger
from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, IntegrityError, connection, models, transaction
from django.utils import timezone
from pghistory.trigger import Event as HistoryTrigger

from accounts.models import RoleMembership, User
from accounts.roles import Role

from . import models as m

EMAIL_PREFIX = "scale-"
EMAIL_DOMAIN = "@scale.example"
CODE_PREFIX = "SCALE-"
ORG_PREFIX = "[scale] "

STUDENTS_PER_PROGRAM = 2000
STUDENTS_PER_ACADEMIC_TUTOR = 5
STUDENTS_PER_PRACTICE_TUTOR = 8
CHUNK_ROWS = 5000  # rows turned into model instances at a time (bulk_create path)
BATCH_SIZE = 1000  # rows per INSERT (bulk_create path)

Row = tuple[Any, ...]


# ---- Writing rows ----------------------------------------------------------------------


@dataclass
class TableTiming:
    label: str
    rows: int = 0
    seconds: float = 0.0


@dataclass
class ScaleReport:
    students: int
    programs: int
    seed: int
    method: str
    purged: int = 0
    row_checks: bool = False
    tables: list[TableTiming] = field(default_factory=list)
    seconds: float = 0.0


def _chunks(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    chunk: list[Row] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class BulkWriter:
    """Writes generated rows of a model: COPY on PostgreSQL or `bulk_create` in chunks.

    `columns` are attribute names (`student_id`); the COPY path fills the model's other
    columns with their defaults. With `returning=True` the new primary keys come back in the
    order of the rows (COPY reserves them from the table's sequence first).
    """

    def __init__(self, method: str) -> None:
        self.method = method
        self.timings: dict[str, TableTiming] = {}
        self.models: list[type[models.Model]] = []  # in the order written

    @contextlib.contextmanager
    def timed(self, label: str) -> Iterator[TableTiming]:
        timing = self.timings.setdefault(label, TableTiming(label))
        started = time.perf_counter()
        try:
            yield timing
        finally:
            timing.seconds += time.perf_counter() - started

    def insert(
        self,
        model: type[models.Model],
        columns: Sequence[str],
        rows: Iterable[Row],
        *,
        returning: bool = False,
        label: str | None = None,
    ) -> list[int]:
        if model not in self.models:
            self.models.append(model)
        with self.timed(label or str(model._meta.verbose_name_plural)) as timing:
            if self.method == "copy":
                ids, count = self._copy(model, columns, rows, returning)
            else:
                ids, count = self._bulk_create(model, columns, rows, returning)
            timing.rows += count
        return ids

    @staticmethod
    def _bulk_create(
        model: type[models.Model], columns: Sequence[str], rows: Iterable[Row], returning: bool
    ) -> tuple[list[int], int]:
        ids: list[int] = []
        count = 0
        for chunk in _chunks(rows, CHUNK_ROWS):
            objs = [model(**dict(zip(columns, row, strict=True))) for row in chunk]
            model._default_manager.bulk_create(objs, batch_size=BATCH_SIZE)
            if returning:
                ids.extend(obj.pk for obj in objs)
            count += len(objs)
        return ids, count

    @staticmethod
    def _copy(
        model: type[models.Model], columns: Sequence[str], rows: Iterable[Row], returning: bool
    ) -> tuple[list[int], int]:
        meta = model._meta
        column_of = {f.attname: str(f.column) for f in meta.concrete_fields}
        now = timezone.now()
        names = [column_of[name] for name in columns]
        defaults: list[Any] = []
        for f in meta.concrete_fields:
            if f.primary_key or f.attname in columns:
                continue
            names.append(str(f.column))
            auto = getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
            defaults.append(now if auto else f.get_default())
        extra = tuple(defaults)
        qn = connection.ops.quote_name
        ids: list[int] = []
        count = 0
        with connection.cursor() as cursor:
            # Any statement inside pgtrigger.ignore() sets the transaction-local setting the
            # history triggers read; COPY bypasses Django's execute wrappers, so make sure.
            cursor.execute("SELECT 1")
            if returning:
                rows = list(rows)
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                    [meta.db_table, meta.pk.column, len(rows)],
                )
                ids = [pk for (pk,) in cursor.fetchall()]
                names.insert(0, str(meta.pk.column))
            sql = f"COPY {qn(meta.db_table)} ({', '.join(qn(n) for n in names)}) FROM STDIN"
            with cursor.copy(sql) as copy:
                write = copy.write_row
                if returning:
                    for pk, row in zip(ids, rows, strict=True):
                        write((pk, *row, *extra))
                    count = len(ids)
                elif extra:
                    for row in rows:
                        write(row + extra)
                        count += 1
                else:
                    for row in rows:
                        write(row)
                        count += 1
        return ids, count


# ---- Removing previous scale data ------------------------------------------------------


def _trigger_uris(history_only: bool) -> list[str]:
    """Registered triggers of the accounts and programs models (only history ones if asked)."""
    return [
        f"{model._meta.label}:{trigger.name}"
        for model, trigger in pgtrigger.registered()
        if model._meta.app_label in ("accounts", "programs")
        and (not history_only or isinstance(trigger, HistoryTrigger))
    ]


def scale_users() -> models.QuerySet[User]:
    return User.objects.filter(email__startswith=EMAIL_PREFIX, email__endswith=EMAIL_DOMAIN)


def has_scale_data() -> bool:
    return (
        m.Program.objects.filter(code__startswith=CODE_PREFIX).exists()
        or m.Organization.objects.filter(name__startswith=ORG_PREFIX).exists()
        or scale_users().exists()
    )


def _delete_root(queryset: models.QuerySet[Any]) -> int:
    """One DELETE, unless rows elsewhere (another app's, say) still point at these rows:
    then the ORM deletes them, so that every relation's `on_delete` is honoured (PROTECT
    stops the purge with its reason)."""
    for rel in queryset.model._meta.get_fields(include_hidden=True):
        if not (rel.auto_created and not rel.concrete and (rel.one_to_many or rel.one_to_one)):
            continue
        if getattr(rel, "on_delete", None) is models.DO_NOTHING:
            continue
        pointing = rel.related_model._base_manager.filter(**{f"{rel.field.name}__in": queryset})
        if pointing.exists():
            return queryset.delete()[0]
    return queryset._raw_delete(queryset.db)


def purge_scale_data() -> tuple[int, list[type[models.Model]]]:
    """Delete every row of the scale data set.

    Returns how many rows went and the models deleted from. Each table goes with one
    DELETE … WHERE (no rows fetched), children before parents.
    """
    programs = m.Program.objects.filter(code__startswith=CODE_PREFIX)
    students = m.Student.objects.filter(student_number__startswith=CODE_PREFIX)
    users = scale_users()
    orgs = m.Organization.objects.filter(name__startswith=ORG_PREFIX)
    courses = m.Course.objects.filter(code__startswith=CODE_PREFIX)
    ct_program = ContentType.objects.get_for_model(m.Program)
    ct_org = ContentType.objects.get_for_model(m.Organization)
    plan_courses = m.TrainingPlan.courses.through
    project_partners = m.Project.partner_organizations.through
    teachers = m.Course.teachers.through
    children: list[models.QuerySet[Any]] = [
        m.CaseLog.objects.filter(student__in=students),
        m.ProgressLogCorrection.objects.filter(log__student__in=students),
        m.ProgressLog.objects.filter(student__in=students),
        m.Milestone.objects.filter(student__in=students),
        m.PlanCaseTarget.objects.filter(plan__student__in=students),
        m.PlanTransition.objects.filter(plan__student__in=students),
        plan_courses.objects.filter(trainingplan__student__in=students),
        m.TrainingPlan.objects.filter(student__in=students),
        m.Placement.objects.filter(student__in=students),
        m.TutorAssignment.objects.filter(student__in=students),
        m.ProjectOutput.objects.filter(project__program__in=programs),
        m.ProjectMember.objects.filter(project__program__in=programs),
        project_partners.objects.filter(project__program__in=programs),
        m.Project.objects.filter(program__in=programs),
        m.Expenditure.objects.filter(line__program__in=programs),
        m.BudgetLine.objects.filter(program__in=programs),
        m.OrganizationStatusChange.objects.filter(organization__in=orgs),
        RoleMembership.objects.filter(user__in=users),
        RoleMembership.objects.filter(scope_type=ct_program, scope_id__in=programs.values("pk")),
        RoleMembership.objects.filter(scope_type=ct_org, scope_id__in=orgs.values("pk")),
        m.SignOffToken.objects.filter(tutor__in=users),
        teachers.objects.filter(course__in=courses),
        m.PartnerResponsibility.objects.filter(partner__program__in=programs),
        m.ProgramPartner.objects.filter(program__in=programs),
        m.ProgramCourse.objects.filter(program__in=programs),
        m.MilestoneTemplate.objects.filter(program__in=programs),
        m.Stage.objects.filter(program__in=programs),
        m.TrainingObjective.objects.filter(program__in=programs),
    ]
    roots: list[models.QuerySet[Any]] = [
        students,
        m.TutorProfile.objects.filter(user__in=users),
        users,
        programs,
        courses,
        orgs,
    ]
    deleted = 0
    for queryset in children:
        deleted += queryset._raw_delete(queryset.db)
    for queryset in roots:
        deleted += _delete_root(queryset)
    touched = [qs.model for qs in children + roots]
    return deleted, list(dict.fromkeys(touched))


# ---- Generated content -----------------------------------------------------------------


def _words(text: str) -> list[str]:
    return text.split()


GIVEN_NAMES = _words(
    "Wei Fang Jing Li Min Jun Yan Hui Lei Ying Tao Qing Hao Xin Bo Lan Rui Ning Chen Yu Jie "
    "Anna Ben Clara David Emma Felix Grace Henry Iris Jonas Kai Lena Marco Nora Omar Paula "
    "Quinn Rosa Sami Tara Uma Victor"
)
FAMILY_NAMES = _words(
    "Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Gao Lin Luo "
    "Zheng Liang Xie Song Tang Han Feng Deng Cao Peng Zeng Xiao Tian Dong Pan Yuan Cai Jiang"
)
CITIES = ["Shanghai", "Beijing", "Guangzhou", "Shenzhen", "Hangzhou", "Nanjing", "Wuhan", "Chengdu"]
TITLES_ACADEMIC = ["Professor", "Associate Professor", "Lecturer"]
TITLES_PRACTICE = ["Chief Radiologist", "Senior Technologist", "Engineer", "Senior Engineer"]
SPECIALTIES = [
    "CT imaging",
    "MR physics",
    "Interventional radiology",
    "Ultrasound",
    "Nuclear medicine",
    "Image processing",
    "Imaging equipment engineering",
    "AI in radiology",
]

ORG_KINDS_PER_PROGRAM: list[tuple[str, str]] = [
    (m.Organization.Kind.UNIVERSITY, "University"),
    (m.Organization.Kind.HOSPITAL, "Hospital A"),
    (m.Organization.Kind.HOSPITAL, "Hospital B"),
    (m.Organization.Kind.HOSPITAL, "Hospital C"),
    (m.Organization.Kind.ENTERPRISE, "Imaging Systems"),
    (m.Organization.Kind.ENTERPRISE, "Medical Software"),
    (m.Organization.Kind.RESEARCH_INSTITUTE, "Imaging Institute"),
]
SUPPORT_ORGS: list[tuple[str, str]] = [
    (m.Organization.Kind.GOVERNMENT, "Municipal Health Commission"),
    (m.Organization.Kind.INTERMEDIARY, "Technology Transfer Centre"),
    (m.Organization.Kind.FINANCIAL_INSTITUTION, "Regional Development Bank"),
]
R = m.PartnerResponsibility.Kind
RESPONSIBILITIES: dict[str, list[str]] = {
    m.Organization.Kind.UNIVERSITY: [
        R.CURRICULUM_SETTING,
        R.TEACHING,
        R.TUTOR_SUPERVISION,
        R.RESEARCH_TRAINING,
        R.MENTAL_HEALTH_SERVICE,
    ],
    m.Organization.Kind.HOSPITAL: [R.CLINICAL_PRACTICE, R.PRACTICAL_TRAINING, R.TEACHING],
    m.Organization.Kind.ENTERPRISE: [R.PRACTICAL_TRAINING, R.KNOWLEDGE_TRANSFER, R.FUNDING],
    m.Organization.Kind.RESEARCH_INSTITUTE: [R.RESEARCH_TRAINING, R.KNOWLEDGE_TRANSFER],
    m.Organization.Kind.GOVERNMENT: [R.FUNDING, R.SUPERVISION_EXTERNAL],
    m.Organization.Kind.INTERMEDIARY: [R.KNOWLEDGE_TRANSFER],
    m.Organization.Kind.FINANCIAL_INSTITUTION: [R.FUNDING],
}

OBJECTIVES = [
    ("Clinical imaging competence", "Performs and reports the core CT, MR and DR examinations."),
    ("Engineering practice", "Maintains and evaluates imaging equipment with an enterprise."),
    ("Research and innovation", "Completes a thesis project and one innovation output."),
]
STAGES = [
    (m.Stage.Kind.COURSEWORK, "Coursework", 12),
    (m.Stage.Kind.CLINICAL_PLACEMENT, "Clinical placement", 6),
    (m.Stage.Kind.ENTERPRISE_PLACEMENT, "Enterprise placement", 4),
    (m.Stage.Kind.THESIS_RESEARCH, "Thesis research", 10),
    (m.Stage.Kind.DEFENCE, "Defence", 2),
]
MK = m.MilestoneTemplate.Kind
# (kind, title, due offset in days, index of the stage)
TEMPLATES = [
    (MK.PROPOSAL_DEFENCE, "Thesis proposal defence", 240, 3),
    (MK.MID_TERM_REVIEW, "Mid-term review", 420, 3),
    (MK.PRACTICE_COMPLETION, "Practice completed", 600, 1),
    (MK.THESIS_SUBMISSION, "Thesis submitted", 900, 3),
    (MK.ORIGINALITY_CHECK, "Originality check passed", 930, 3),
    (MK.DEFENCE, "Thesis defence", 990, 4),
]
CC = m.Course.Category
# (title, credits, category, integrates I&E, delivering partner index, required, semester)
COURSES = [
    ("Medical Imaging Physics", "3.0", CC.CORE, False, 0, True, 1),
    ("Imaging Anatomy", "2.0", CC.CORE, False, 0, True, 1),
    ("Research Methods and Ethics", "1.0", CC.CORE, False, 0, True, 1),
    ("Medical Image Processing", "3.0", CC.SPECIALTY, True, 0, True, 2),
    ("Clinical Imaging Practice", "4.0", CC.PRACTICE, False, 1, True, 2),
    ("Imaging Equipment Engineering", "2.0", CC.SPECIALTY, False, 4, False, 2),
    ("Innovation and Entrepreneurship in Medical Devices", "2.0", CC.INNOVATION_ENTREPRENEURSHIP,
     False, 5, True, 3),
    ("AI in Radiology", "2.0", CC.ELECTIVE, False, 6, False, 3),
]  # fmt: skip

PLAN_STATUSES = ["draft", "submitted", "tutor_approved", "approved"]
PLAN_STATUS_WEIGHTS = [15, 30, 45, 100]  # cumulative: 15 % draft … 55 % approved
CAREER_GOALS = [choice.value for choice in m.TrainingPlan.CareerGoal]
OBJECTIVE_TEXTS = [
    "Become independent in cardiac CT and structured reporting.",
    "Build an MR sequence-optimisation tool with the enterprise partner.",
    "Publish one paper on low-dose CT reconstruction.",
    "Learn ultrasound-guided interventions and log 100 cases.",
    "Prepare a start-up plan for an imaging quality-control service.",
]
MODALITIES = ["ct", "mr", "dr", "us", "nm", "dsa", "other"]
MODALITY_WEIGHTS = [30, 55, 75, 87, 92, 97, 100]  # cumulative
PROCEDURES = {
    "ct": ["Chest CT", "Head CT", "Abdominal CT with contrast", "CT angiography"],
    "mr": ["Brain MR", "Knee MR", "Cardiac MR", "MR spectroscopy"],
    "dr": ["Chest radiograph", "Spine series", "Extremity radiograph"],
    "us": ["Abdominal ultrasound", "Thyroid ultrasound", "Echocardiography"],
    "nm": ["PET-CT staging", "Bone scan"],
    "dsa": ["Cerebral angiography", "Hepatic artery embolisation"],
    "other": ["Quality-control phantom test", "Dose audit"],
}
CASE_ROLES = ["observed", "assisted", "performed"]
ACADEMIC_KINDS = ["meeting", "meeting", "feedback", "lab"]
PRACTICE_KINDS = ["clinical", "clinical", "lab", "feedback"]
SUMMARIES = {
    "meeting": [
        "Discussed thesis progress and next steps.",
        "Reviewed the literature summary; agreed on the research question.",
        "Planned the coming month's reading and experiments.",
    ],
    "feedback": [
        "Feedback on the draft chapter: tighten the methods section.",
        "Feedback on the case presentation; good structure, more image detail.",
    ],
    "lab": [
        "Phantom measurements on the CT scanner; noise analysis started.",
        "Image-processing pipeline run on the new data set.",
    ],
    "clinical": [
        "Supervised CT examinations in the emergency department.",
        "Positioning and protocol selection for MR examinations.",
        "Reporting session: ten chest radiographs reviewed together.",
    ],
}
PROJECT_KINDS = [choice.value for choice in m.Project.Kind]
PROJECT_SIZES = ["small", "medium", "big"]
PROJECT_SIZE_WEIGHTS = [60, 90, 100]  # cumulative
PROJECT_STATUSES = ["proposed", "approved", "active", "completed", "failed"]
PROJECT_STATUS_WEIGHTS = [10, 20, 65, 95, 100]  # cumulative
PROJECT_TOPICS = [
    "Low-dose CT reconstruction",
    "MR motion correction",
    "Ultrasound training simulator",
    "Radiology report templates",
    "Imaging quality-control service",
    "PET-CT workflow study",
    "AI triage for chest radiographs",
]
OUTPUT_KINDS = [choice.value for choice in m.ProjectOutput.Kind]
PAYEES = [
    "Imaging Supplies Ltd.",
    "Contrast Media Co.",
    "Conference Travel Agency",
    "University Press",
    "Phantom Labs",
    "Software Licences Inc.",
]
# (partner index holding the line, category, title)
BUDGET_LINES = [
    (0, m.BudgetLine.Category.STIPENDS, "Student stipends"),
    (0, m.BudgetLine.Category.TUTOR_FEES, "Academic tutor fees"),
    (0, m.BudgetLine.Category.TRAINING, "Courses and workshops"),
    (1, m.BudgetLine.Category.MATERIALS, "Clinical consumables"),
    (2, m.BudgetLine.Category.TUTOR_FEES, "Practice tutor fees"),
    (3, m.BudgetLine.Category.MATERIALS, "Clinical consumables"),
    (4, m.BudgetLine.Category.EQUIPMENT, "Training scanner time"),
    (5, m.BudgetLine.Category.EQUIPMENT, "Software licences"),
    (6, m.BudgetLine.Category.PUBLICATION, "Publications and patents"),
]


# ---- The builder -----------------------------------------------------------------------


@dataclass
class _Program:
    index: int
    n_students: int
    first_student: int  # global index of its first student
    pk: int = 0
    orgs: list[int] = field(default_factory=list)  # pks, in ORG_KINDS_PER_PROGRAM order
    coordinators: list[int] = field(default_factory=list)  # user pk per org, same order
    admin_user: int = 0
    courses: list[tuple[int, bool]] = field(default_factory=list)  # (pk, required)
    templates: list[tuple[int, str, str, int]] = field(default_factory=list)
    academic: list[tuple[int, int]] = field(default_factory=list)  # (profile pk, user pk)
    practice: list[tuple[int, int, int]] = field(default_factory=list)  # (+ org index)

    @property
    def code(self) -> str:
        return f"{CODE_PREFIX}{self.index + 1:04d}"

    @property
    def n_academic(self) -> int:
        return max(1, math.ceil(self.n_students / STUDENTS_PER_ACADEMIC_TUTOR))

    @property
    def n_practice(self) -> int:
        return max(1, math.ceil(self.n_students / STUDENTS_PER_PRACTICE_TUTOR))


def _cumulative_choice(rnd: float, options: Sequence[Any], cumulative: Sequence[int]) -> Any:
    point = rnd * cumulative[-1]
    for option, bound in zip(options, cumulative, strict=True):
        if point < bound:
            return option
    return options[-1]


class ScaleBuilder:
    def __init__(
        self, students: int, programs: int, seed: int, today: dt.date, writer: BulkWriter
    ) -> None:
        self.n = students
        self.rng = random.Random(seed)  # noqa: S311 -- test data, not secrets
        self.today = today
        self.today_ord = today.toordinal()
        self.now = timezone.now()
        self.tz = timezone.get_current_timezone()
        self.writer = writer
        self.password = make_password(None)  # hashing is slow: once for every account
        per, extra = divmod(students, programs)
        self.programs: list[_Program] = []
        first = 0
        for index in range(programs):
            size = per + (1 if index < extra else 0)
            self.programs.append(_Program(index, size, first))
            first += size
        latest = today.year if today >= dt.date(today.year, 9, 1) else today.year - 1
        self.cohorts = [latest - 2, latest - 1, latest]
        self.latest_cohort = latest
        self.ct_program = ContentType.objects.get_for_model(m.Program).pk
        self.ct_org = ContentType.objects.get_for_model(m.Organization).pk
        self._moments: dict[int, dt.datetime] = {}
        self._dates: dict[int, dt.date] = {}
        # Per student (global index): filled as the tables are written.
        n = students
        self.s_program = [0] * n
        self.s_user = [0] * n
        self.s_pk = [0] * n
        self.s_cohort = [0] * n
        self.s_enrolled = [0] * n  # ordinal
        self.s_status = [""] * n
        self.s_academic = [0] * n  # index into program.academic
        self.s_practice = [0] * n  # index into program.practice
        self.s_plan_status = [""] * n
        self.s_placement = [0] * n
        self.s_placement_span = [(0, 0)] * n  # ordinals; (0, 0) when none has started
        self.s_project = [0] * n
        self.s_gap = [False] * n

    # -- helpers --

    def date(self, ordinal: int) -> dt.date:
        day = self._dates.get(ordinal)
        if day is None:
            day = self._dates[ordinal] = dt.date.fromordinal(ordinal)
        return day

    def moment(self, ordinal: int, minutes: int = 0) -> dt.datetime:
        """08:00 local time on the day, plus `minutes`."""
        base = self._moments.get(ordinal)
        if base is None:
            day = dt.date.fromordinal(ordinal)
            base = dt.datetime.combine(day, dt.time(8, 0), tzinfo=self.tz)
            self._moments[ordinal] = base
        return base + dt.timedelta(minutes=minutes) if minutes else base

    def name(self) -> str:
        rng = self.rng
        return f"{rng.choice(GIVEN_NAMES)} {rng.choice(FAMILY_NAMES)}"

    def past_or_none(self, moment: dt.datetime) -> dt.datetime | None:
        return moment if moment <= self.now else None

    # -- the tables, in order --

    def build(self) -> None:
        self.organizations()
        self.programs_and_elements()
        self.users()
        self.role_memberships()
        self.tutors()
        self.students()
        self.assignments()
        self.plans()
        self.milestones()
        self.placements()
        self.projects()
        self.progress_logs()
        self.case_logs()
        self.funds()
        self.course_teachers()

    def organizations(self) -> None:
        rng = self.rng
        rows: list[Row] = []
        for program in self.programs:
            for kind, label in ORG_KINDS_PER_PROGRAM:
                name = f"{ORG_PREFIX}{label} {program.index + 1:04d}"
                city = rng.choice(CITIES)
                status = "probation" if kind != "university" and rng.random() < 0.05 else "active"
                rows.append((name, label, kind, status, city))
        for kind, label in SUPPORT_ORGS:
            rows.append((f"{ORG_PREFIX}{label}", label, kind, "active", "Shanghai"))
        ids = self.writer.insert(
            m.Organization,
            ["name", "short_name", "kind", "status", "city"],
            rows,
            returning=True,
        )
        per = len(ORG_KINDS_PER_PROGRAM)
        for program in self.programs:
            program.orgs = ids[program.index * per : (program.index + 1) * per]
        self.support_orgs = ids[len(self.programs) * per :]
        changes = [
            (pk, "active", "probation", "Placement reports overdue.", self.now)
            for pk, row in zip(ids, rows, strict=True)
            if row[3] == "probation"
        ]
        self.writer.insert(
            m.OrganizationStatusChange,
            ["organization_id", "from_status", "to_status", "reason", "changed_at"],
            changes,
        )

    def programs_and_elements(self) -> None:
        rng = self.rng
        w = self.writer
        start = dt.date(self.cohorts[0] - 1, 9, 1)
        rows = [
            (
                program.code,
                f"Medical Imaging Technology ({program.index + 1})",
                "Medical imaging technology",
                "professional" if program.index % 3 else "academic",
                program.orgs[0],
                start,
                "active",
                "Scale data set.",
                "Indicators and weights from the evaluation module.",
            )
            for program in self.programs
        ]
        ids = w.insert(
            m.Program,
            [
                "code",
                "title",
                "discipline",
                "degree_type",
                "lead_university_id",
                "start_date",
                "status",
                "description",
                "quality_criteria",
            ],
            rows,
            returning=True,
        )
        for program, pk in zip(self.programs, ids, strict=True):
            program.pk = pk
        w.insert(
            m.TrainingObjective,
            ["program_id", "order", "title", "description"],
            [
                (p.pk, order, title, text)
                for p in self.programs
                for order, (title, text) in enumerate(OBJECTIVES, 1)
            ],
        )
        stage_ids = w.insert(
            m.Stage,
            ["program_id", "order", "kind", "title", "expected_months"],
            [
                (p.pk, order, kind, title, months)
                for p in self.programs
                for order, (kind, title, months) in enumerate(STAGES, 1)
            ],
            returning=True,
        )
        template_rows = [
            (p.pk, stage_ids[p.index * len(STAGES) + stage], kind, title, offset)
            for p in self.programs
            for kind, title, offset, stage in TEMPLATES
        ]
        template_ids = w.insert(
            m.MilestoneTemplate,
            ["program_id", "stage_id", "kind", "title", "due_offset_days"],
            template_rows,
            returning=True,
        )
        for p in self.programs:
            at = p.index * len(TEMPLATES)
            p.templates = [
                (template_ids[at + k], kind, title, offset)
                for k, (kind, title, offset, _stage) in enumerate(TEMPLATES)
            ]
        course_rows = [
            (
                f"{p.code}-{k + 1:02d}",
                title,
                Decimal(credits),
                category,
                ie,
                p.orgs[partner],
                f"{title} ({p.code}).",
            )
            for p in self.programs
            for k, (title, credits, category, ie, partner, _req, _sem) in enumerate(COURSES)
        ]
        course_ids = w.insert(
            m.Course,
            [
                "code",
                "title",
                "credits",
                "category",
                "integrates_ie",
                "delivering_organization_id",
                "description",
            ],
            course_rows,
            returning=True,
        )
        curriculum: list[Row] = []
        for p in self.programs:
            at = p.index * len(COURSES)
            p.courses = []
            for k, (_t, _c, _cat, _ie, _partner, required, semester) in enumerate(COURSES):
                pk = course_ids[at + k]
                p.courses.append((pk, required))
                requirement = "required" if required else "elective"
                curriculum.append((p.pk, pk, requirement, semester))
        w.insert(
            m.ProgramCourse, ["program_id", "course_id", "requirement", "semester"], curriculum
        )
        partners: list[Row] = []
        kinds: list[str] = []
        for p in self.programs:
            for org, (kind, _label) in zip(p.orgs, ORG_KINDS_PER_PROGRAM, strict=True):
                places = 0 if kind == "university" else rng.randrange(5, 40)
                partners.append((p.pk, org, start, None, places, True))
                kinds.append(kind)
            for org, (kind, _label) in zip(self.support_orgs, SUPPORT_ORGS, strict=True):
                partners.append((p.pk, org, start, None, 0, True))
                kinds.append(kind)
        partner_ids = w.insert(
            m.ProgramPartner,
            [
                "program_id",
                "organization_id",
                "agreement_start",
                "agreement_end",
                "places_offered",
                "is_active",
            ],
            partners,
            returning=True,
        )
        w.insert(
            m.PartnerResponsibility,
            ["partner_id", "responsibility"],
            [
                (pk, responsibility)
                for pk, kind in zip(partner_ids, kinds, strict=True)
                for responsibility in RESPONSIBILITIES[kind]
            ],
        )

    def users(self) -> None:
        """Program administrators, coordinators, tutors and students, program by program."""
        rng = self.rng
        rows: list[Row] = []
        joined = self.now
        pw = self.password

        def user(email: str, language: str = "en") -> Row:
            return (pw, None, False, email, self.name(), language, True, False, joined)

        layout: list[tuple[_Program, int, int, int]] = []
        for p in self.programs:
            tag = f"{p.index + 1:04d}"
            base = len(rows)
            rows.append(user(f"{EMAIL_PREFIX}admin-{tag}{EMAIL_DOMAIN}"))
            for k in range(len(ORG_KINDS_PER_PROGRAM)):
                rows.append(user(f"{EMAIL_PREFIX}coord-{tag}-{k + 1}{EMAIL_DOMAIN}"))
            for k in range(p.n_academic):
                rows.append(user(f"{EMAIL_PREFIX}at-{tag}-{k + 1:04d}{EMAIL_DOMAIN}"))
            for k in range(p.n_practice):
                rows.append(user(f"{EMAIL_PREFIX}pt-{tag}-{k + 1:04d}{EMAIL_DOMAIN}"))
            first_student_row = len(rows)
            for local in range(p.n_students):
                i = p.first_student + local
                language = "zh-hans" if rng.random() < 0.3 else "en"
                rows.append(user(f"{EMAIL_PREFIX}s{i + 1:07d}{EMAIL_DOMAIN}", language))
            layout.append((p, base, base + 1 + len(ORG_KINDS_PER_PROGRAM), first_student_row))
        ids = self.writer.insert(
            User,
            [
                "password",
                "last_login",
                "is_superuser",
                "email",
                "full_name",
                "preferred_language",
                "is_active",
                "is_staff",
                "date_joined",
            ],
            rows,
            returning=True,
            label="users",
        )
        for p, base, tutors_at, students_at in layout:
            p.admin_user = ids[base]
            p.coordinators = ids[base + 1 : tutors_at]
            practice_at = tutors_at + p.n_academic
            p.academic = [(0, pk) for pk in ids[tutors_at:practice_at]]
            p.practice = [
                (0, pk, k % (len(ORG_KINDS_PER_PROGRAM) - 1) + 1)
                for k, pk in enumerate(ids[practice_at : practice_at + p.n_practice])
            ]
            for local in range(p.n_students):
                self.s_user[p.first_student + local] = ids[students_at + local]

    def role_memberships(self) -> None:
        now = self.now
        ct_program, ct_org = self.ct_program, self.ct_org

        def rows() -> Iterator[Row]:
            for p in self.programs:
                yield (p.admin_user, Role.PROGRAM_ADMIN, ct_program, p.pk, now)
                for org, user in zip(p.orgs, p.coordinators, strict=True):
                    yield (user, Role.PARTNER_COORDINATOR, ct_org, org, now)
                for _profile, user in p.academic:
                    yield (user, Role.ACADEMIC_TUTOR, ct_org, p.orgs[0], now)
                for _profile, user, org_index in p.practice:
                    yield (user, Role.PRACTICE_TUTOR, ct_org, p.orgs[org_index], now)
                for local in range(p.n_students):
                    yield (
                        self.s_user[p.first_student + local],
                        Role.STUDENT,
                        ct_program,
                        p.pk,
                        now,
                    )

        self.writer.insert(
            RoleMembership,
            ["user_id", "role", "scope_type_id", "scope_id", "created_at"],
            rows(),
            label="role memberships",
        )

    def tutors(self) -> None:
        rng = self.rng
        rows: list[Row] = []
        for p in self.programs:
            for _profile, user in p.academic:
                rows.append(
                    (
                        user,
                        "academic",
                        p.orgs[0],
                        rng.choice(TITLES_ACADEMIC),
                        rng.choice(SPECIALTIES),
                        "PhD in biomedical engineering.",
                        "",
                        rng.randint(STUDENTS_PER_ACADEMIC_TUTOR, 8),
                    )
                )
            for _profile, user, org_index in p.practice:
                rows.append(
                    (
                        user,
                        "practice",
                        p.orgs[org_index],
                        rng.choice(TITLES_PRACTICE),
                        rng.choice(SPECIALTIES),
                        "Licensed imaging professional.",
                        f"{rng.randint(5, 25)} years of practice.",
                        rng.randint(STUDENTS_PER_PRACTICE_TUTOR, 12),
                    )
                )
        ids = self.writer.insert(
            m.TutorProfile,
            [
                "user_id",
                "kind",
                "organization_id",
                "professional_title",
                "specialty",
                "qualifications",
                "practice_experience",
                "capacity",
            ],
            rows,
            returning=True,
        )
        at = 0
        for p in self.programs:
            p.academic = [(ids[at + k], user) for k, (_x, user) in enumerate(p.academic)]
            at += len(p.academic)
            p.practice = [(ids[at + k], user, org) for k, (_x, user, org) in enumerate(p.practice)]
            at += len(p.practice)

    def students(self) -> None:
        rng = self.rng
        today = self.today_ord
        rows: list[Row] = []
        for p in self.programs:
            for local in range(p.n_students):
                i = p.first_student + local
                cohort = rng.choice(self.cohorts)
                enrolled = min(dt.date(cohort, 9, 1).toordinal() + rng.randrange(7), today)
                roll = rng.random()
                if roll < 0.02:
                    status = "suspended"
                elif roll < 0.04:
                    status = "withdrawn"
                elif roll < 0.07 and cohort == self.cohorts[0]:
                    status = "graduated"
                else:
                    status = "active"
                self.s_program[i] = p.index
                self.s_cohort[i] = cohort
                self.s_enrolled[i] = enrolled
                self.s_status[i] = status
                # Spread over the tutors: each has at most ceil(n / tutors) students.
                self.s_academic[i] = local % len(p.academic)
                self.s_practice[i] = local % len(p.practice)
                self.s_gap[i] = enrolled < today - 120 and rng.random() < 0.05
                rows.append(
                    (
                        self.s_user[i],
                        p.pk,
                        f"{CODE_PREFIX}{i + 1:07d}",
                        cohort,
                        self.date(enrolled),
                        status,
                    )
                )
        ids = self.writer.insert(
            m.Student,
            ["user_id", "program_id", "student_number", "cohort", "enrolled_on", "status"],
            rows,
            returning=True,
        )
        self.s_pk = ids

    def assignments(self) -> None:
        rng = self.rng

        def rows() -> Iterator[Row]:
            for i in range(self.n):
                p = self.programs[self.s_program[i]]
                enrolled = self.s_enrolled[i]
                academic = p.academic[self.s_academic[i]][0]
                practice = p.practice[self.s_practice[i]][0]
                yield (self.s_pk[i], academic, "academic", self.date(enrolled), p.admin_user)
                start = min(enrolled + 150 + rng.randrange(30), self.today_ord)
                yield (self.s_pk[i], practice, "practice", self.date(start), p.admin_user)

        self.writer.insert(
            m.TutorAssignment,
            ["student_id", "tutor_id", "role", "started_on", "assigned_by_id"],
            rows(),
        )

    def plans(self) -> None:
        rng = self.rng
        rows: list[Row] = []
        for i in range(self.n):
            status = _cumulative_choice(rng.random(), PLAN_STATUSES, PLAN_STATUS_WEIGHTS)
            self.s_plan_status[i] = status
            created = min(self.s_enrolled[i] + 7 + rng.randrange(30), self.today_ord)
            moment = self.moment(created, rng.randrange(600))
            rows.append(
                (
                    self.s_pk[i],
                    1,
                    status,
                    rng.choice(CAREER_GOALS),
                    rng.choice(OBJECTIVE_TEXTS),
                    "Clinical placement at a partner hospital.",
                    "One small project in the second year.",
                    moment,
                    moment,
                )
            )
        plan_ids = self.writer.insert(
            m.TrainingPlan,
            [
                "student_id",
                "version",
                "status",
                "career_goal",
                "personal_objectives",
                "planned_placements",
                "planned_projects",
                "created_at",
                "updated_at",
            ],
            rows,
            returning=True,
        )

        def courses() -> Iterator[Row]:
            for i, plan in enumerate(plan_ids):
                for course, required in self.programs[self.s_program[i]].courses:
                    if required or rng.random() < 0.5:
                        yield (plan, course)

        self.writer.insert(
            m.TrainingPlan.courses.through,
            ["trainingplan_id", "course_id"],
            courses(),
            label="plan courses",
        )

        def targets() -> Iterator[Row]:
            for plan in plan_ids:
                third = rng.choice(MODALITIES[2:])
                for modality in ("ct", "mr", third):
                    yield (plan, modality, rng.randrange(20, 200, 10))

        self.writer.insert(m.PlanCaseTarget, ["plan_id", "modality", "target"], targets())

        def transitions() -> Iterator[Row]:
            for i, plan in enumerate(plan_ids):
                status = self.s_plan_status[i]
                steps = PLAN_STATUSES.index(status)
                if not steps:
                    continue
                p = self.programs[self.s_program[i]]
                by = [self.s_user[i], p.academic[self.s_academic[i]][1], p.admin_user]
                moment = rows[i][7]
                for step in range(steps):
                    moment = moment + dt.timedelta(hours=rng.randrange(4, 240))
                    at = min(moment, self.now)
                    yield (plan, PLAN_STATUSES[step], PLAN_STATUSES[step + 1], by[step], at, "")

        self.writer.insert(
            m.PlanTransition,
            ["plan_id", "from_status", "to_status", "by_id", "at", "comment"],
            transitions(),
        )

    def milestones(self) -> None:
        rng = self.rng
        today = self.today_ord

        def rows() -> Iterator[Row]:
            for i in range(self.n):
                p = self.programs[self.s_program[i]]
                tutor_user = p.academic[self.s_academic[i]][1]
                enrolled = self.s_enrolled[i]
                for template, kind, title, offset in p.templates:
                    due = enrolled + offset
                    completed = signed_by = signed_at = None
                    evidence = ""
                    if due < today and rng.random() < 0.85:
                        done = max(enrolled, due - rng.randrange(30))
                        completed = self.date(done)
                        evidence = f"{title}: minutes and documents on file."
                        if rng.random() < 0.9:
                            signed_by = tutor_user
                            signed_at = self.past_or_none(
                                self.moment(done + rng.randrange(1, 6), rng.randrange(600))
                            )
                            if signed_at is None:
                                signed_by = None
                    yield (
                        self.s_pk[i],
                        template,
                        kind,
                        title,
                        self.date(due),
                        completed,
                        evidence,
                        signed_by,
                        signed_at,
                    )

        self.writer.insert(
            m.Milestone,
            [
                "student_id",
                "template_id",
                "kind",
                "title",
                "due_date",
                "completed_on",
                "evidence",
                "signed_off_by_id",
                "signed_off_at",
            ],
            rows(),
        )

    def placements(self) -> None:
        rng = self.rng
        today = self.today_ord
        rows: list[Row] = []
        spans: list[tuple[int, int]] = []
        for i in range(self.n):
            p = self.programs[self.s_program[i]]
            profile, _user, org_index = p.practice[self.s_practice[i]]
            start = self.s_enrolled[i] + 180 + rng.randrange(60)
            end = start + 240 + rng.randrange(180)
            if rng.random() < 0.03:
                status = "cancelled"
            elif start > today:
                status = "planned"
            elif end >= today:
                status = "active"
            else:
                status = "completed"
            confirmed_by = confirmed_at = None
            if status != "cancelled" and (status != "planned" or rng.random() < 0.5):
                confirmed_by = p.coordinators[org_index]
                confirmed_at = self.past_or_none(self.moment(start - 10, rng.randrange(600)))
                if confirmed_at is None:
                    confirmed_by = None
            started = status in ("active", "completed")
            spans.append((start, min(end, today)) if started else (0, 0))
            rows.append(
                (
                    self.s_pk[i],
                    p.orgs[org_index],
                    profile,
                    self.date(start),
                    self.date(end),
                    "Clinical and engineering practice under a practice tutor.",
                    status,
                    confirmed_by,
                    confirmed_at,
                )
            )
        self.s_placement = self.writer.insert(
            m.Placement,
            [
                "student_id",
                "host_id",
                "practice_tutor_id",
                "start_date",
                "end_date",
                "objectives",
                "status",
                "confirmed_by_id",
                "confirmed_at",
            ],
            rows,
            returning=True,
        )
        self.s_placement_span = spans

    def projects(self) -> None:
        rng = self.rng
        today = self.today_ord
        rows: list[Row] = []
        members: list[list[tuple[int, str]]] = []  # per project: (user pk, role)
        member_students: list[list[int]] = []
        for p in self.programs:
            count = max(1, p.n_students // 10)
            for k in range(count):
                size = _cumulative_choice(rng.random(), PROJECT_SIZES, PROJECT_SIZE_WEIGHTS)
                kind = rng.choice(PROJECT_KINDS)
                status = _cumulative_choice(rng.random(), PROJECT_STATUSES, PROJECT_STATUS_WEIGHTS)
                lead_org = p.orgs[{"research": 0, "clinical": 1}.get(kind, 4 + k % 2)]
                start = today - rng.randrange(30, 900)
                end = start + rng.randrange(180, 720)
                if status == "completed":
                    end = min(end, today - 1)
                started = status not in ("proposed",)
                topic = rng.choice(PROJECT_TOPICS)
                rows.append(
                    (
                        p.pk,
                        f"{topic} ({p.code} #{k + 1})",
                        kind,
                        size,
                        lead_org,
                        status,
                        self.date(start) if started else None,
                        self.date(end) if started else None,
                        f"{topic}: a {size} {kind} project.",
                    )
                )
                team = {"small": 2, "medium": 4, "big": 6}[size] + rng.randrange(2)
                team = min(team, p.n_students)
                locals_ = rng.sample(range(p.n_students), team)
                students = [p.first_student + local for local in locals_]
                lead = students[0]
                advisor = p.academic[self.s_academic[lead]][1]
                people = [(self.s_user[s], "lead" if n == 0 else "member") for n, s in
                          enumerate(students)]  # fmt: skip
                people.append((advisor, "advisor"))
                members.append(people)
                member_students.append(students)
        ids = self.writer.insert(
            m.Project,
            [
                "program_id",
                "title",
                "kind",
                "size",
                "lead_organization_id",
                "status",
                "start_date",
                "end_date",
                "description",
            ],
            rows,
            returning=True,
        )
        for pk, students in zip(ids, member_students, strict=True):
            for s in students:
                if not self.s_project[s]:
                    self.s_project[s] = pk
        program_of = {p.pk: p for p in self.programs}

        def partner_orgs() -> Iterator[Row]:
            for pk, row in zip(ids, rows, strict=True):
                p = program_of[row[0]]
                others = [org for org in p.orgs if org != row[4]]
                for org in rng.sample(others, rng.randrange(3)):
                    yield (pk, org)

        self.writer.insert(
            m.Project.partner_organizations.through,
            ["project_id", "organization_id"],
            partner_orgs(),
            label="project partners",
        )
        self.writer.insert(
            m.ProjectMember,
            ["project_id", "user_id", "role"],
            [
                (pk, user, role)
                for pk, people in zip(ids, members, strict=True)
                for user, role in people
            ],
        )

        def outputs() -> Iterator[Row]:
            for pk, row in zip(ids, rows, strict=True):
                status = row[5]
                if status == "completed" or (status == "active" and rng.random() < 0.3):
                    for n in range(1 + (status == "completed")):
                        kind = rng.choice(OUTPUT_KINDS)
                        produced = row[7] if status == "completed" else self.today
                        yield (pk, kind, f"{row[1]}: {kind} {n + 1}", "", produced)

        self.writer.insert(
            m.ProjectOutput, ["project_id", "kind", "title", "reference", "produced_on"], outputs()
        )

    def progress_logs(self) -> None:
        rng = self.rng
        rnd = rng.random
        today = self.today_ord
        now = self.now
        hour = dt.timedelta(hours=1)

        def rows() -> Iterator[Row]:
            for i in range(self.n):
                p = self.programs[self.s_program[i]]
                student = self.s_pk[i]
                academic = p.academic[self.s_academic[i]][1]
                practice = p.practice[self.s_practice[i]][1]
                placement = self.s_placement[i]
                pl_start, pl_end = self.s_placement_span[i]
                project = self.s_project[i]
                start = self.s_enrolled[i]
                end = today - 65 - rng.randrange(30) if self.s_gap[i] else today
                count = rng.randint(15, 25)
                step = (max(0, end - start) + 1) / count  # one per stretch: regular contact
                for k in range(count):
                    day = start + int((k + rnd()) * step)
                    if pl_start <= day <= pl_end and rnd() < 0.5:
                        author, where = practice, placement
                        kind = PRACTICE_KINDS[int(rnd() * 4)]
                    else:
                        author, where = academic, None
                        kind = ACADEMIC_KINDS[int(rnd() * 4)]
                    texts = SUMMARIES[kind]
                    created = self.moment(day, int(rnd() * 600))
                    shared = rnd() < 0.85
                    acknowledged = None
                    comment = ""
                    if shared and rnd() < 0.6:
                        # Draw first, then compare with the clock: the stream of random
                        # numbers must not depend on the time of day.
                        delay, commented = 2 + int(rnd() * 70), rnd() < 0.05
                        acknowledged = created + hour * delay
                        if acknowledged > now:
                            acknowledged = None
                        elif commented:
                            comment = "Thank you, noted."
                    yield (
                        student,
                        author,
                        self.date(day),
                        kind,
                        15 + 5 * int(rnd() * 34),
                        texts[int(rnd() * len(texts))],
                        shared,
                        project if project and rnd() < 0.1 else None,
                        where,
                        created,
                        acknowledged,
                        comment,
                    )

        self.writer.insert(
            m.ProgressLog,
            [
                "student_id",
                "author_id",
                "date",
                "kind",
                "minutes",
                "summary",
                "shared",
                "project_id",
                "placement_id",
                "created_at",
                "acknowledged_at",
                "student_comment",
            ],
            rows(),
        )

    def case_logs(self) -> None:
        rng = self.rng
        rnd = rng.random
        today = self.today_ord
        now = self.now

        def rows() -> Iterator[Row]:
            for i in range(self.n):
                p = self.programs[self.s_program[i]]
                student, user = self.s_pk[i], self.s_user[i]
                practice = p.practice[self.s_practice[i]][1]
                pl_start, pl_end = self.s_placement_span[i]
                if pl_start:
                    start, span, placement = pl_start, pl_end - pl_start + 1, self.s_placement[i]
                else:
                    start = self.s_enrolled[i]
                    span, placement = today - start + 1, None
                for _ in range(rng.randint(5, 15)):
                    day = start + int(rnd() * span)
                    modality = _cumulative_choice(rnd(), MODALITIES, MODALITY_WEIGHTS)
                    procedures = PROCEDURES[modality]
                    verified_by = verified_at = None
                    if placement and rnd() < 0.7:
                        verified_at = self.moment(day + 1 + int(rnd() * 6), int(rnd() * 600))
                        if verified_at > now:
                            verified_at = None
                        else:
                            verified_by = practice
                    yield (
                        student,
                        self.date(day),
                        modality,
                        procedures[int(rnd() * len(procedures))],
                        1 + int(rnd() * 30),
                        CASE_ROLES[int(rnd() * 3)] if placement else "observed",
                        placement,
                        user,
                        verified_by,
                        verified_at,
                    )

        self.writer.insert(
            m.CaseLog,
            [
                "student_id",
                "date",
                "modality",
                "procedure",
                "count",
                "role",
                "placement_id",
                "recorded_by_id",
                "verified_by_id",
                "verified_at",
            ],
            rows(),
        )

    def funds(self) -> None:
        rng = self.rng
        start = dt.date(self.latest_cohort, 9, 1)
        end = dt.date(self.latest_cohort + 1, 8, 31)
        last = min(end, self.today).toordinal()
        lines: list[Row] = []
        for p in self.programs:
            for partner, category, title in BUDGET_LINES:
                amount = Decimal(rng.randrange(80, 600) * 1000)
                lines.append(
                    (p.pk, p.orgs[partner], category, title, amount, start, end, p.admin_user)
                )
        ids = self.writer.insert(
            m.BudgetLine,
            [
                "program_id",
                "holder_id",
                "category",
                "title",
                "amount",
                "start_date",
                "end_date",
                "approver_id",
            ],
            lines,
            returning=True,
        )
        program_of = {p.pk: p for p in self.programs}
        cent = Decimal("0.01")
        rows: list[Row] = []
        for pk, line, (partner, category, _title) in zip(
            ids, lines, BUDGET_LINES * len(self.programs), strict=True
        ):
            p = program_of[line[0]]
            submitter = p.coordinators[partner]
            amount_total = line[4]
            spent = Decimal(0)
            for _ in range(rng.randint(8, 25)):
                amount = (amount_total * Decimal(rng.randrange(100, 600)) / 10000).quantize(cent)
                if spent + amount > amount_total * Decimal("0.95"):
                    break
                day = start.toordinal() + rng.randrange(max(1, last - start.toordinal() + 1))
                submitted = min(self.moment(day + 1, rng.randrange(600)), self.now)
                roll = rng.random()
                status = "approved" if roll < 0.75 else "submitted" if roll < 0.9 else "rejected"
                decided = None
                if status != "submitted":
                    decided = min(submitted + dt.timedelta(hours=rng.randrange(2, 96)), self.now)
                if status == "approved":
                    spent += amount
                rows.append(
                    (
                        pk,
                        amount,
                        self.date(day),
                        category,
                        rng.choice(PAYEES),
                        f"{category.label} for {p.code}",
                        submitter,
                        submitted,
                        status,
                        p.admin_user if status != "submitted" else None,
                        decided,
                        "Not covered by this line." if status == "rejected" else "",
                    )
                )
        self.writer.insert(
            m.Expenditure,
            [
                "line_id",
                "amount",
                "spent_on",
                "category",
                "payee",
                "description",
                "submitted_by_id",
                "submitted_at",
                "status",
                "approved_by_id",
                "decided_at",
                "rejection_reason",
            ],
            rows,
        )

    def course_teachers(self) -> None:
        rows: list[Row] = []
        for p in self.programs:
            practice_by_org: dict[int, int] = {}
            for _profile, user, org_index in p.practice:
                practice_by_org.setdefault(org_index, user)
            for (course, _required), spec in zip(p.courses, COURSES, strict=True):
                partner = spec[4]
                if partner == 0:
                    for _profile, user in p.academic[:2]:
                        rows.append((course, user))
                elif partner in practice_by_org:
                    rows.append((course, practice_by_org[partner]))
        self.writer.insert(
            m.Course.teachers.through, ["course_id", "user_id"], rows, label="course teachers"
        )


def default_programs(students: int) -> int:
    return max(1, students // STUDENTS_PER_PROGRAM)


def _flush_deferred_checks() -> None:
    """Check the deferred foreign keys of the rows written so far (PostgreSQL)."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _skip_row_triggers() -> bool:
    """Switch this transaction to `session_replication_role = replica`, if allowed.

    No trigger fires then: neither history nor PostgreSQL's own per-row foreign-key checks,
    which cost more than the rows themselves (they are verified in bulk afterwards). Needs a
    superuser or the SET privilege on the parameter; otherwise nothing changes.
    """
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
    except DatabaseError:
        return False
    return True


ForeignKeyRef = tuple[type[models.Model], Any]  # (model, its ForeignKey field)


def _constrained(f: Any) -> bool:
    return isinstance(f, models.ForeignKey) and getattr(f, "db_constraint", True)


def _target_table(f: Any) -> str:
    return str(f.remote_field.model._meta.db_table)


def _foreign_keys_of(written: Iterable[type[models.Model]]) -> list[ForeignKeyRef]:
    return [(model, f) for model in written for f in model._meta.concrete_fields if _constrained(f)]


def _pointing_at(targets: Iterable[type[models.Model]]) -> list[ForeignKeyRef]:
    """Every constrained foreign key, of any installed model, to one of `targets`."""
    tables = {model._meta.db_table for model in targets}
    return [
        (model, f)
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
        for f in model._meta.concrete_fields
        if _constrained(f) and _target_table(f) in tables
    ]


def verify_foreign_keys(foreign_keys: Iterable[ForeignKeyRef]) -> int:
    """One anti-join per foreign key; raises IntegrityError if any row points nowhere.

    Returns the number of foreign keys checked.
    """
    qn = connection.ops.quote_name
    checked = 0
    with connection.cursor() as cursor:
        for model, f in foreign_keys:
            table = qn(model._meta.db_table)
            target = f.target_field
            column = qn(str(f.column))
            cursor.execute(
                f"SELECT count(*) FROM {table} c WHERE c.{column} IS NOT NULL AND NOT EXISTS "  # noqa: S608 -- quoted names from model metadata
                f"(SELECT 1 FROM {qn(target.model._meta.db_table)} p "
                f"WHERE p.{qn(str(target.column))} = c.{column})"
            )
            (missing,) = cursor.fetchone() or (0,)
            if missing:
                raise IntegrityError(
                    f"{missing} rows of {model._meta.db_table}.{f.column} point nowhere."
                )
            checked += 1
    return checked


def seed_scale(
    students: int,
    programs: int | None = None,
    seed: int = 1,
    *,
    method: str = "auto",
    today: dt.date | None = None,
    row_checks: bool = False,
) -> ScaleReport:
    """Replace the scale data set with a new one of `students` students; all or nothing.

    On PostgreSQL the rows go in with COPY and the history triggers ignored. Unless
    `row_checks`, no trigger fires at all when the database allows it (replica role) and
    the foreign keys are verified in bulk instead, which is several times faster.
    """
    if students < 1:
        raise ValueError("At least one student is needed.")
    programs = programs or default_programs(students)
    if not 1 <= programs <= students:
        raise ValueError("Every program needs at least one student.")
    postgres = connection.vendor == "postgresql"
    if method == "auto":
        method = "copy" if postgres else "orm"
    if method == "copy" and not postgres:
        raise ValueError("COPY needs PostgreSQL.")
    report = ScaleReport(students=students, programs=programs, seed=seed, method=method)
    started = time.perf_counter()
    writer = BulkWriter(method)
    with transaction.atomic():
        bulk_checks = postgres and not row_checks and _skip_row_triggers()
        if has_scale_data():
            with (
                writer.timed("(previous scale data deleted)") as timing,
                pgtrigger.ignore(*_trigger_uris(history_only=False)),
            ):
                timing.rows, purged_models = purge_scale_data()
                report.purged = timing.rows
            if bulk_checks:
                with writer.timed("(references to deleted rows verified)") as timing:
                    timing.rows = verify_foreign_keys(_pointing_at(purged_models))
            elif postgres:
                with writer.timed("(deferred checks of the deletion)"):
                    _flush_deferred_checks()
        with pgtrigger.ignore(*_trigger_uris(history_only=True)):
            builder = ScaleBuilder(students, programs, seed, today or timezone.localdate(), writer)
            builder.build()
        if bulk_checks:
            with writer.timed("(foreign keys verified in bulk)") as timing:
                timing.rows = verify_foreign_keys(_foreign_keys_of(writer.models))
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL session_replication_role TO DEFAULT")
        elif postgres:
            with writer.timed("(deferred foreign-key checks)"):
                _flush_deferred_checks()
    report.row_checks = postgres and not bulk_checks
    report.tables = list(writer.timings.values())
    report.seconds = time.perf_counter() - started
    return report
