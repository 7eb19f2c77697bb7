"""Benchmark: the audit over `seed_scale` data, measured in one run against

(a) a naive per-student ORM loop implementing the same rules (and per expenditure, budget
    line, tutor and partner for the others), run on a random sample and scaled to the full
    size; it records its findings the naive way (update_or_create per finding), in a
    transaction that is rolled back; and
(b) a lower bound: each rule as ONE hand-written SQL statement over the whole portal, run
    directly with cursor.execute and fetched, summed.

    make bench-audit                              (100,000 students in the database bench_audit)
    make bench-audit BENCH_STUDENTS=5000          (a quick run)
    .venv/bin/python bench/audit.py --students 5000 --sample 500 --workers 0

The real audit runs the way a worker runs it (start_audit → run_audit → one chunk per rule
and program), first in one process with the chunks one after the other (a first run that
creates every finding, then a second that finds them again), then, unless `--workers 0`,
with N Celery worker processes on Redis. The script CHECKS that the naive loop and the
real audit find exactly the same subjects per rule on the sample, and that the
hand-written statements find exactly the real audit's findings on the whole data; it exits
with an error otherwise. Results go to bench/results/audit-<N>.json and .txt.

Seeding is skipped when the database already holds the scale data of N students; the
findings, runs and chunks of earlier benchmarks are removed first.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import socket
import subprocess
import sys
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "training_portal.settings")
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("TESTING", "true")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_audit")
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")

RESULTS = ROOT / "bench" / "results"

Subjects = set[tuple[int, int]]  # (program, subject)


def ensure_database() -> None:
    """Create the benchmark database if it does not exist (PostgreSQL only)."""
    import psycopg
    from django.conf import settings

    db = settings.DATABASES["default"]
    try:
        psycopg.connect(
            dbname=db["NAME"],
            user=db["USER"],
            password=db.get("PASSWORD") or None,
            host=db.get("HOST") or "127.0.0.1",
            port=db.get("PORT") or 5432,
        ).close()
    except psycopg.OperationalError:
        with psycopg.connect(
            dbname="postgres",
            user=db["USER"],
            password=db.get("PASSWORD") or None,
            host=db.get("HOST") or "127.0.0.1",
            port=db.get("PORT") or 5432,
            autocommit=True,
        ) as admin:
            admin.execute(f'CREATE DATABASE "{db["NAME"]}"')


import django  # noqa: E402

django.setup()
ensure_database()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Sum  # noqa: E402

from programs import models as m  # noqa: E402
from programs.scale import CODE_PREFIX, seed_scale  # noqa: E402
from supervision import audit as engine  # noqa: E402
from supervision.models import AuditRun, Finding  # noqa: E402
from supervision.rules import Rule, Scope, all_rules  # noqa: E402
from training_portal.celery import app as celery_app  # noqa: E402
from training_portal.core.models import Job  # noqa: E402

settings.DEBUG = False  # no query log: measure what production runs
ACTIVE = "active"
SPENT = ("submitted", "approved")
IE = "innovation_entrepreneurship"


@dataclass
class Report:
    students: int
    sample: int
    lines: list[str] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)

    def say(self, text: str = "") -> None:
        print(text, flush=True)
        self.lines.append(text)


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


# ---- Data ----------------------------------------------------------------------------------


def prepare(students: int, report: Report) -> None:
    call_command("migrate", verbosity=0, interactive=False)
    have = m.Student.objects.filter(student_number__startswith=CODE_PREFIX).count()
    if have != students:
        report.say(f"seeding {students:,} students (seed_scale) …")
        seconds, _ = timed(lambda: seed_scale(students))
        report.say(f"  seeded in {seconds:.0f} s")
    with connection.cursor() as cursor:
        # The previous benchmarks' audits: findings, their history, chunks and runs.
        cursor.execute(
            "TRUNCATE supervision_finding, supervision_findingevent, supervision_auditchunk,"
            " supervision_auditrun CASCADE"
        )
        cursor.execute("ANALYZE")  # fresh statistics, as autovacuum would have made
    counts = {
        "students": m.Student.objects.count(),
        "programs": m.Program.objects.exclude(status="closed").count(),
        "milestones": m.Milestone.objects.count(),
        "progress logs": m.ProgressLog.objects.count(),
        "tutor assignments": m.TutorAssignment.objects.count(),
        "expenditures": m.Expenditure.objects.count(),
    }
    report.figures["data"] = counts
    report.say("data: " + ", ".join(f"{v:,} {k}" for k, v in counts.items()))


# ---- The real audit ------------------------------------------------------------------------


def real_in_process() -> tuple[float, AuditRun]:
    """start_audit → run_audit → every chunk, in this process, one after the other."""
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    try:
        seconds, run = timed(lambda: engine.start_audit(user=None))
    finally:
        celery_app.conf.task_always_eager = False
        celery_app.conf.task_eager_propagates = False
    run.refresh_from_db()
    assert run.job.status == Job.Status.SUCCEEDED, run.job.error
    return seconds, run


def real_with_workers(count: int) -> tuple[float, AuditRun]:
    """The same, with `count` Celery worker processes on Redis sharing the chunks."""
    queue = f"bench-audit-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "CELERY_QUEUE": queue}
    command = [sys.executable, "-m", "celery", "-A", "training_portal", "worker", "--pool=solo",
               "--without-gossip", "--without-mingle", "--without-heartbeat", "-Q", queue,
               "--loglevel=WARNING"]  # fmt: skip
    workers = [
        subprocess.Popen([*command, "-n", f"bench{i}@{socket.gethostname()}"], cwd=ROOT, env=env)
        for i in range(count)
    ]
    celery_app.conf.task_default_queue = queue
    try:
        names = [f"bench{i}@{socket.gethostname()}" for i in range(count)]
        deadline = time.monotonic() + 60
        while len(celery_app.control.ping(destination=names, timeout=1) or []) < count:
            assert time.monotonic() < deadline, "the workers did not start"
        started = time.perf_counter()
        run = engine.start_audit(user=None)
        while True:
            job = Job.objects.get(pk=run.job_id)
            if job.is_finished:
                break
            time.sleep(0.05)
        seconds = time.perf_counter() - started
        assert job.status == Job.Status.SUCCEEDED, job.error
        run.refresh_from_db()
        return seconds, run
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=30)
        connection.close()


def found_in(run: AuditRun) -> dict[str, Subjects]:
    result: dict[str, Subjects] = defaultdict(set)
    for rule, program, subject in Finding.objects.filter(last_seen_run=run).values_list(
        "rule", "program_id", "subject_id"
    ):
        result[rule].add((program, subject))
    return result


def rules_only(as_of: dt.date) -> float:
    """The real rules' queries alone (every program, hits built, nothing written)."""
    rules = all_rules()
    programs = list(
        m.Program.objects.exclude(status="closed").order_by("pk").values_list("pk", flat=True)
    )
    settings_ = engine.effective_settings(rules, programs)
    started = time.perf_counter()
    for program in programs:
        for rule in rules:
            scope = Scope(program, as_of, settings_[(rule.code, program)].thresholds)
            for _hit in rule.find(scope):
                pass
    return time.perf_counter() - started


# ---- (b) One hand-written statement per rule -----------------------------------------------

OPEN_PROGRAM = "JOIN programs_program p ON p.id = s.program_id AND p.status <> 'closed'"
LINE_PROGRAM = "JOIN programs_program p ON p.id = b.program_id AND p.status <> 'closed'"

HANDWRITTEN: dict[str, str] = {
    "milestone_overdue": f"""
        SELECT s.program_id, ms.id, ms.title, ms.due_date
        FROM programs_milestone ms JOIN programs_student s ON s.id = ms.student_id {OPEN_PROGRAM}
        WHERE s.status = 'active' AND ms.completed_on IS NULL AND ms.due_date < %(today)s""",
    "supervision_gap": f"""
        SELECT s.program_id, s.id, last.day, s.enrolled_on
        FROM programs_student s {OPEN_PROGRAM}
        LEFT JOIN LATERAL (SELECT l.date AS day FROM programs_progresslog l
                           WHERE l.student_id = s.id ORDER BY l.date DESC LIMIT 1) last ON true
        WHERE s.status = 'active' AND s.enrolled_on < %(today)s - 30
          AND (last.day IS NULL OR last.day < %(today)s - 30)""",
    "supervision_frequency": f"""
        SELECT s.program_id, a.id, a.role, count(l.id), t.user_id, t.organization_id
        FROM programs_tutorassignment a
        JOIN programs_student s ON s.id = a.student_id {OPEN_PROGRAM}
        JOIN programs_tutorprofile t ON t.id = a.tutor_id
        LEFT JOIN programs_progresslog l ON l.student_id = a.student_id
             AND l.author_id = t.user_id AND l.date BETWEEN %(today)s - 90 AND %(today)s
        WHERE s.status = 'active' AND a.ended_on IS NULL AND a.started_on <= %(today)s - 90
        GROUP BY s.program_id, a.id, a.role, t.user_id, t.organization_id
        HAVING count(l.id) < CASE a.role WHEN 'academic' THEN 3 ELSE 2 END""",
    "tutor_over_capacity": """
        SELECT x.home, t.id, t.user_id, x.load, t.capacity
        FROM (SELECT a.tutor_id, count(*) AS load, min(s.program_id) AS home
              FROM programs_tutorassignment a JOIN programs_student s ON s.id = a.student_id
              WHERE a.ended_on IS NULL AND s.status = 'active' GROUP BY a.tutor_id) x
        JOIN programs_tutorprofile t ON t.id = x.tutor_id
        JOIN programs_program p ON p.id = x.home AND p.status <> 'closed'
        WHERE x.load > t.capacity""",
    "plan_not_approved": f"""
        SELECT s.program_id, s.id, s.enrolled_on FROM programs_student s {OPEN_PROGRAM}
        WHERE s.status = 'active' AND s.enrolled_on < %(today)s - 90
          AND NOT EXISTS (SELECT 1 FROM programs_trainingplan tp WHERE tp.student_id = s.id
                          AND tp.status IN ('approved', 'superseded'))""",
    "plan_without_ie": f"""
        SELECT s.program_id, tp.id, tp.version
        FROM programs_trainingplan tp JOIN programs_student s ON s.id = tp.student_id
        {OPEN_PROGRAM}
        WHERE s.status = 'active' AND tp.status = 'approved'
          AND NOT EXISTS (SELECT 1 FROM programs_trainingplan_courses pc
                          JOIN programs_course c ON c.id = pc.course_id
                          WHERE pc.trainingplan_id = tp.id
                            AND (c.integrates_ie OR c.category = '{IE}'))""",
    "placement_without_tutor": f"""
        SELECT s.program_id, pl.id, pl.host_id, pl.start_date
        FROM programs_placement pl JOIN programs_student s ON s.id = pl.student_id
        {OPEN_PROGRAM}
        WHERE pl.status = 'active' AND pl.practice_tutor_id IS NULL""",
    "responsibility_unfulfilled": """
        SELECT pp.program_id, r.id, pp.organization_id
        FROM programs_partnerresponsibility r
        JOIN programs_programpartner pp ON pp.id = r.partner_id
        JOIN programs_program p ON p.id = pp.program_id AND p.status <> 'closed'
        WHERE pp.is_active AND pp.agreement_start <= %(today)s - 365
          AND NOT CASE
            WHEN r.responsibility IN ('clinical_practice', 'practical_training') THEN EXISTS (
              SELECT 1 FROM programs_placement pl JOIN programs_student s ON s.id = pl.student_id
              WHERE pl.host_id = pp.organization_id AND s.program_id = pp.program_id
                AND pl.end_date >= %(today)s - 365 AND pl.start_date <= %(today)s
                AND pl.status <> 'cancelled')
            WHEN r.responsibility IN ('teaching', 'curriculum_setting') THEN EXISTS (
              SELECT 1 FROM programs_course c JOIN programs_programcourse pc ON pc.course_id = c.id
              WHERE c.delivering_organization_id = pp.organization_id
                AND pc.program_id = pp.program_id)
            WHEN r.responsibility = 'tutor_supervision' THEN EXISTS (
              SELECT 1 FROM programs_tutorassignment a
              JOIN programs_tutorprofile t ON t.id = a.tutor_id
              JOIN programs_student s ON s.id = a.student_id
              WHERE t.organization_id = pp.organization_id AND s.program_id = pp.program_id
                AND (a.ended_on IS NULL OR a.ended_on >= %(today)s - 365))
            WHEN r.responsibility IN ('research_training', 'knowledge_transfer') THEN EXISTS (
              SELECT 1 FROM programs_project pr
              WHERE pr.program_id = pp.program_id
                AND (r.responsibility = 'research_training'
                     OR pr.kind IN ('engineering', 'innovation', 'entrepreneurship'))
                AND (pr.lead_organization_id = pp.organization_id OR EXISTS (
                     SELECT 1 FROM programs_project_partner_organizations po
                     WHERE po.project_id = pr.id AND po.organization_id = pp.organization_id)))
            WHEN r.responsibility = 'funding' THEN EXISTS (
              SELECT 1 FROM programs_budgetline b
              WHERE b.holder_id = pp.organization_id AND b.program_id = pp.program_id
                AND b.end_date >= %(today)s - 365)
            ELSE true END""",
    "agreement_expired": """
        SELECT pp.program_id, pp.id, pp.organization_id, pp.agreement_end
        FROM programs_programpartner pp
        JOIN programs_program p ON p.id = pp.program_id AND p.status <> 'closed'
        WHERE pp.is_active AND pp.agreement_end < %(today)s""",
    "fund_overspend": f"""
        SELECT b.program_id, b.id, b.amount, e.total
        FROM programs_budgetline b {LINE_PROGRAM}
        JOIN (SELECT line_id, sum(amount) AS total FROM programs_expenditure
              WHERE status = 'approved' GROUP BY line_id) e ON e.line_id = b.id
        WHERE e.total > b.amount""",
    "fund_out_of_period": f"""
        SELECT b.program_id, e.id, e.spent_on, b.start_date, b.end_date
        FROM programs_expenditure e JOIN programs_budgetline b ON b.id = e.line_id {LINE_PROGRAM}
        WHERE e.status IN ('submitted', 'approved')
          AND (e.spent_on < b.start_date OR e.spent_on > b.end_date)""",
    "fund_self_approval": f"""
        SELECT b.program_id, e.id, e.submitted_by_id
        FROM programs_expenditure e JOIN programs_budgetline b ON b.id = e.line_id {LINE_PROGRAM}
        WHERE e.status = 'approved' AND e.approved_by_id = e.submitted_by_id""",
    "fund_duplicate": f"""
        SELECT b.program_id, min(e.id), count(*)
        FROM programs_expenditure e JOIN programs_budgetline b ON b.id = e.line_id {LINE_PROGRAM}
        WHERE e.status IN ('submitted', 'approved')
        GROUP BY b.program_id, lower(trim(e.payee)), e.amount, e.spent_on
        HAVING count(*) > 1""",
    "fund_split": f"""
        SELECT b.program_id, e.id
        FROM programs_expenditure e JOIN programs_budgetline b ON b.id = e.line_id {LINE_PROGRAM}
        WHERE e.status IN ('submitted', 'approved') AND e.amount >= 9000 AND e.amount < 10000
          AND (SELECT count(*) FROM programs_expenditure o
               WHERE o.line_id = e.line_id AND upper(o.payee) = upper(e.payee)
                 AND o.status IN ('submitted', 'approved')
                 AND o.amount >= 9000 AND o.amount < 10000
                 AND o.spent_on BETWEEN e.spent_on - 14 AND e.spent_on) >= 3""",
    "fund_end_of_period_spike": f"""
        SELECT b.program_id, b.id, x.total, x.late
        FROM programs_budgetline b {LINE_PROGRAM}
        JOIN LATERAL (SELECT sum(amount) FILTER (WHERE status = 'approved') AS total,
                             sum(amount) FILTER (WHERE status = 'approved'
                                                 AND spent_on > b.end_date - 28) AS late
                      FROM programs_expenditure WHERE line_id = b.id) x ON true
        WHERE b.start_date <= %(today)s AND x.total > 0 AND x.total >= 1000
          AND round(coalesce(x.late, 0) * 100 / x.total, 1) > 50""",
}


def handwritten(as_of: dt.date) -> tuple[dict[str, float], dict[str, Subjects]]:
    times: dict[str, float] = {}
    found: dict[str, Subjects] = {}
    with connection.cursor() as cursor:
        for rule, sql in HANDWRITTEN.items():
            started = time.perf_counter()
            cursor.execute(sql, {"today": as_of})
            rows = cursor.fetchall()
            times[rule] = time.perf_counter() - started
            found[rule] = {(row[0], row[1]) for row in rows}
    return times, found


# ---- (a) The naive loop --------------------------------------------------------------------


@dataclass
class Naive:
    """Per student (and per line, expenditure, tutor, partner): what one writes first."""

    run: AuditRun
    found: dict[str, Subjects] = field(default_factory=lambda: defaultdict(set))

    def record(self, rule: Rule, program: int, subject: int, key: str = "", **facts: Any) -> None:
        self.found[rule.code].add((program, subject))
        from django.contrib.contenttypes.models import ContentType

        subject_type = ContentType.objects.get_by_natural_key(*rule.subject.split("."))
        finding, _created = Finding.objects.update_or_create(
            fingerprint=engine.fingerprint(rule.code, rule.subject, subject, key, program),
            defaults={
                "rule": rule.code,
                "severity": rule.severity,
                "program_id": program,
                "subject_type": subject_type,
                "subject_id": subject,
                "details": facts,
                "evidence": facts,
                "last_seen_run": self.run,
                "last_seen_at": self.run.created_at,
                "gone_at": None,
                "student_id": facts.get("student"),
            },
        )
        if finding.status == Finding.Status.RESOLVED:
            finding.status = Finding.Status.OPEN
            finding.reopened_count += 1
            finding.save()

    def student(self, pk: int, today: dt.date, rules: dict[str, Rule]) -> None:
        student = m.Student.objects.get(pk=pk)
        program = student.program_id
        if student.program.status == "closed":
            return
        for placement in student.placements.all():
            if placement.status == "active" and placement.practice_tutor_id is None:
                self.record(rules["placement_without_tutor"], program, placement.pk, student=pk)
        if student.status != ACTIVE:
            return
        for milestone in student.milestones.all():
            if milestone.completed_on is None and milestone.due_date < today:
                self.record(rules["milestone_overdue"], program, milestone.pk, student=pk)
        since = today - dt.timedelta(days=30)
        last = student.progress_logs.order_by("-date").first()
        if student.enrolled_on < since and (last is None or last.date < since):
            self.record(rules["supervision_gap"], program, pk, student=pk)
        window = today - dt.timedelta(days=90)
        for assignment in student.assignments.filter(ended_on__isnull=True):
            if assignment.started_on > window:
                continue
            contacts = m.ProgressLog.objects.filter(
                student=student, author=assignment.tutor.user, date__gte=window, date__lte=today
            ).count()
            if contacts < (3 if assignment.role == "academic" else 2):
                self.record(
                    rules["supervision_frequency"], program, assignment.pk, assignment.role,
                    student=pk,
                )  # fmt: skip
        plans = list(student.plans.all())
        approved = [p for p in plans if p.status in ("approved", "superseded")]
        if student.enrolled_on < today - dt.timedelta(days=90) and not approved:
            self.record(rules["plan_not_approved"], program, pk, student=pk)
        for plan in plans:
            if plan.status == "approved" and not any(
                c.integrates_ie or c.category == IE for c in plan.courses.all()
            ):
                self.record(rules["plan_without_ie"], program, plan.pk, student=pk)
        # What a naive audit does for the problems that went away: one query per student.
        Finding.objects.filter(student=student, status__in=Finding.ACTIVE).exclude(
            last_seen_run=self.run
        ).update(status=Finding.Status.RESOLVED)

    def tutor(self, pk: int, rules: dict[str, Rule]) -> None:
        tutor = m.TutorProfile.objects.get(pk=pk)
        current = list(
            tutor.assignments.filter(ended_on__isnull=True, student__status=ACTIVE).select_related(
                "student__program"
            )
        )
        if len(current) > tutor.capacity:
            home = min(a.student.program_id for a in current)
            if m.Program.objects.get(pk=home).status != "closed":
                self.record(rules["tutor_over_capacity"], home, pk)

    def line(self, pk: int, today: dt.date, rules: dict[str, Rule]) -> None:
        line = m.BudgetLine.objects.get(pk=pk)
        program = line.program_id
        if line.program.status == "closed":
            return
        approved = line.expenditures.filter(status="approved")
        total = approved.aggregate(t=Sum("amount"))["t"] or Decimal(0)
        if total > line.amount:
            self.record(rules["fund_overspend"], program, pk)
        late = approved.filter(spent_on__gt=line.end_date - dt.timedelta(weeks=4)).aggregate(
            t=Sum("amount")
        )["t"] or Decimal(0)
        spiked = total > 0 and (late * 100 / total).quantize(Decimal("0.1")) > 50
        if line.start_date <= today and total >= 1000 and spiked:
            self.record(rules["fund_end_of_period_spike"], program, pk)
        for expenditure in line.expenditures.all():
            self.expenditure(expenditure, line, rules)

    def expenditure(self, e: m.Expenditure, line: m.BudgetLine, rules: dict[str, Rule]) -> None:
        program = line.program_id
        if e.status == "approved" and e.approved_by_id == e.submitted_by_id:
            self.record(rules["fund_self_approval"], program, e.pk)
        if e.status not in SPENT:
            return
        if e.spent_on < line.start_date or e.spent_on > line.end_date:
            self.record(rules["fund_out_of_period"], program, e.pk)
        same = [
            o
            for o in m.Expenditure.objects.filter(
                line__program_id=program, amount=e.amount, spent_on=e.spent_on, status__in=SPENT
            )
            if o.payee.strip().lower() == e.payee.strip().lower()
        ]
        if len(same) > 1 and min(o.pk for o in same) == e.pk:
            key = f"{e.payee.strip().lower()}|{e.amount}|{e.spent_on.isoformat()}"
            self.record(rules["fund_duplicate"], program, e.pk, key)
        if Decimal(9000) <= e.amount < Decimal(10000):
            window = m.Expenditure.objects.filter(
                line=line,
                payee__iexact=e.payee,
                status__in=SPENT,
                amount__gte=9000,
                amount__lt=10000,
                spent_on__lte=e.spent_on,
                spent_on__gte=e.spent_on - dt.timedelta(days=14),
            ).count()
            if window >= 3:
                self.record(rules["fund_split"], program, e.pk)

    def partner(self, pk: int, today: dt.date, rules: dict[str, Rule]) -> None:
        partner = m.ProgramPartner.objects.select_related("program").get(pk=pk)
        if partner.program.status == "closed" or not partner.is_active:
            return
        program, org = partner.program_id, partner.organization_id
        if partner.agreement_end is not None and partner.agreement_end < today:
            self.record(rules["agreement_expired"], program, pk)
        since = today - dt.timedelta(days=365)
        if partner.agreement_start > since:
            return
        for held in partner.responsibilities.all():
            kind = held.responsibility
            if kind in ("clinical_practice", "practical_training"):
                active = m.Placement.objects.filter(
                    host_id=org, student__program_id=program, end_date__gte=since,
                    start_date__lte=today,
                ).exclude(status="cancelled").exists()  # fmt: skip
            elif kind in ("teaching", "curriculum_setting"):
                active = m.Course.objects.filter(
                    delivering_organization_id=org, in_programs__program_id=program
                ).exists()
            elif kind == "tutor_supervision":
                active = any(
                    a.ended_on is None or a.ended_on >= since
                    for a in m.TutorAssignment.objects.filter(
                        tutor__organization_id=org, student__program_id=program
                    )
                )
            elif kind in ("research_training", "knowledge_transfer"):
                projects = [
                    p
                    for p in m.Project.objects.filter(program_id=program)
                    if p.lead_organization_id == org
                    or p.partner_organizations.filter(pk=org).exists()
                ]
                if kind == "knowledge_transfer":
                    projects = [
                        p
                        for p in projects
                        if p.kind in ("engineering", "innovation", "entrepreneurship")
                    ]
                active = bool(projects)
            elif kind == "funding":
                active = m.BudgetLine.objects.filter(
                    holder_id=org, program_id=program, end_date__gte=since
                ).exists()
            else:
                continue
            if not active:
                self.record(rules["responsibility_unfulfilled"], program, held.pk)


class Rollback(Exception):
    pass


def naive(
    run: AuditRun, sample: int, seed: int
) -> tuple[dict[str, float], Naive, dict[str, set[int]]]:
    """The naive loop on a sample; returns seconds per kind of subject (scaled to all of
    them), what it found, and the sample (subject ids per rule) to compare on."""
    rng = random.Random(seed)
    rules = {rule.code: rule for rule in all_rules()}
    today = run.as_of
    students = list(m.Student.objects.values_list("pk", flat=True))
    tutors = list(m.TutorProfile.objects.values_list("pk", flat=True))
    lines = list(m.BudgetLine.objects.values_list("pk", flat=True))
    partners = list(m.ProgramPartner.objects.values_list("pk", flat=True))
    chosen = {
        "students": rng.sample(students, min(sample, len(students))),
        "tutors": rng.sample(tutors, min(max(sample // 4, 1), len(tutors))),
        "lines": rng.sample(lines, min(max(sample // 50, 5), len(lines))),
        "partners": partners,  # few: all of them
    }
    totals = {"students": len(students), "tutors": len(tutors), "lines": len(lines),
              "partners": len(partners)}  # fmt: skip
    loop = Naive(run)
    scaled: dict[str, float] = {}
    try:
        with transaction.atomic():
            for kind, ids in chosen.items():
                started = time.perf_counter()
                for pk in ids:
                    if kind == "students":
                        loop.student(pk, today, rules)
                    elif kind == "tutors":
                        loop.tutor(pk, rules)
                    elif kind == "lines":
                        loop.line(pk, today, rules)
                    else:
                        loop.partner(pk, today, rules)
                seconds = time.perf_counter() - started
                scaled[kind] = seconds * totals[kind] / max(len(ids), 1)
            raise Rollback
    except Rollback:
        pass
    return scaled, loop, sample_subjects(chosen)


def sample_subjects(chosen: dict[str, list[int]]) -> dict[str, set[int]]:
    """Per rule, the subjects the sample covers (what the naive loop looked at)."""
    students = chosen["students"]
    lines = chosen["lines"]
    per_student = {
        "milestone_overdue": m.Milestone.objects.filter(student__in=students),
        "supervision_gap": m.Student.objects.filter(pk__in=students),
        "supervision_frequency": m.TutorAssignment.objects.filter(student__in=students),
        "plan_not_approved": m.Student.objects.filter(pk__in=students),
        "plan_without_ie": m.TrainingPlan.objects.filter(student__in=students),
        "placement_without_tutor": m.Placement.objects.filter(student__in=students),
        "tutor_over_capacity": m.TutorProfile.objects.filter(pk__in=chosen["tutors"]),
        "fund_overspend": m.BudgetLine.objects.filter(pk__in=lines),
        "fund_end_of_period_spike": m.BudgetLine.objects.filter(pk__in=lines),
        "responsibility_unfulfilled": m.PartnerResponsibility.objects.all(),
        "agreement_expired": m.ProgramPartner.objects.all(),
    }
    expenditures = m.Expenditure.objects.filter(line__in=lines)
    result = {rule: set(qs.values_list("pk", flat=True)) for rule, qs in per_student.items()}
    for rule in ("fund_out_of_period", "fund_self_approval", "fund_duplicate", "fund_split"):
        result[rule] = set(expenditures.values_list("pk", flat=True))
    return result


# ---- The run -------------------------------------------------------------------------------


def compare(
    name: str,
    theirs: dict[str, Subjects],
    ours: dict[str, Subjects],
    only: dict[str, set[int]] | None = None,
) -> list[str]:
    problems = []
    for rule in HANDWRITTEN:
        mine = ours.get(rule, set())
        other = theirs.get(rule, set())
        if only is not None:
            mine = {s for s in mine if s[1] in only[rule]}
            other = {s for s in other if s[1] in only[rule]}
        if mine != other:
            problems.append(
                f"{name} {rule}: only real {sorted(mine - other)[:5]}, "
                f"only {name} {sorted(other - mine)[:5]}"
            )
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=1000, help="students of the naive loop")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (0: skip)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    report = Report(args.students, args.sample)
    prepare(args.students, report)

    first, _first_run = real_in_process()
    report.say(f"real audit, first run (creates every finding)  {first:8.2f} s")
    second, run2 = real_in_process()
    report.say(f"real audit, second run (finds them again)      {second:8.2f} s")
    findings = sum(c["found"] for c in run2.counts.values())
    chunks = run2.chunks.count()
    report.say(f"  {findings:,} findings, {chunks} chunks (rule x program), one process")
    real = found_in(run2)
    as_of = run2.as_of
    only_rules = rules_only(as_of)
    report.say(f"  of which the rules' own queries (nothing written)  {only_rules:8.2f} s")
    parallel = None
    if args.workers:
        parallel, run3 = real_with_workers(args.workers)
        report.say(f"real audit, {args.workers} Celery worker processes          {parallel:8.2f} s")
        assert found_in(run3) == real, "the workers' run found something else"

    hand_times, hand_found = handwritten(as_of)
    hand = sum(hand_times.values())
    report.say(f"(b) hand-written SQL, one statement per rule    {hand:8.2f} s")
    for rule, seconds in sorted(hand_times.items(), key=lambda x: -x[1])[:5]:
        report.say(f"      {rule:<28} {seconds:7.2f} s  {len(hand_found[rule]):>7,} rows")

    naive_times, loop, sample = naive(run2, args.sample, args.seed)
    naive_total = sum(naive_times.values())
    report.say(f"(a) naive ORM loop, scaled to all subjects      {naive_total:8.0f} s")
    for kind, seconds in naive_times.items():
        report.say(f"      {kind:<28} {seconds:7.0f} s")

    report.say()
    report.say(f"naive / real           {naive_total / second:8.1f} x   (goal: at least 100 x)")
    report.say(f"real / hand-written    {second / hand:8.2f} x   (goal: at most 2 x)")
    if parallel:
        report.say(f"naive / real, {args.workers} workers {naive_total / parallel:8.1f} x")
        report.say(f"real, {args.workers} workers / hand-written {parallel / hand:6.2f} x")

    problems = compare("naive", loop.found, real, sample) + compare("handwritten", hand_found, real)
    sample_found = sum(len({s for s in real.get(r, set()) if s[1] in sample[r]}) for r in sample)
    report.say(f"checked: the naive loop and the real audit agree on the sample "
               f"({sample_found:,} findings), the hand-written SQL on all "
               f"{findings:,}" if not problems else "CHECK FAILED")  # fmt: skip
    for problem in problems:
        report.say("  " + problem)
    report.figures.update(
        {
            "real_first_run_s": first,
            "real_second_run_s": second,
            "real_rules_only_s": only_rules,
            "real_workers_s": parallel,
            "workers": args.workers,
            "handwritten_s": hand,
            "handwritten_per_rule_s": hand_times,
            "naive_scaled_s": naive_times,
            "naive_over_real": naive_total / second,
            "real_over_handwritten": second / hand,
            "findings": findings,
            "chunks": chunks,
            "counts": run2.counts,
            "checked": not problems,
        }
    )
    RESULTS.mkdir(parents=True, exist_ok=True)
    base = RESULTS / f"audit-{args.students}"
    base.with_suffix(".json").write_text(json.dumps(report.figures, indent=2, default=str))
    base.with_suffix(".txt").write_text("\n".join(report.lines) + "\n")
    if problems:
        sys.exit(1)


if __name__ == "__main__":
    main()
