"""Benchmark: the audit over `seed_scale` data, measured in one run against

(a) a naive per-student ORM loop implementing the same rules (and per expenditure, budget
    line, tutor and partner for the others), run on a random sample and scaled to the full
    size; it records its findings the naive way (update_or_create per finding), in a
    transaction that is rolled back; and
(b) a lower bound: each rule as ONE hand-written SQL statement over the whole portal, run
    directly with cursor.execute, summed. Two figures: the statements recording their
    findings as the audit does (insert, refresh, reopen, close the gone ones; on an empty
    table and again on the recorded findings, each in a transaction rolled back), and the
    same statements' SELECT alone, fetched (finding only, nothing recorded).

    make bench-audit                              (100,000 students in the database bench_audit)
    make bench-audit BENCH_STUDENTS=5000          (a quick run)
    .venv/bin/python bench/audit.py --students 5000 --sample 500 --workers 0

The real audit runs the way a worker runs it (start_audit → run_audit → one chunk per rule
and program), first in one process with the chunks one after the other (a first run that
creates every finding, then a second that finds them all again), then, unless
`--workers 0`, with N Celery worker processes on Redis. The script CHECKS that the naive
loop and the real audit find exactly the same subjects per rule on the sample, and that
the hand-written statements find and record exactly the real audit's findings on the whole
data (fingerprints, status, facts); it exits with an error otherwise. Results go to
bench/results/audit-<N>.json and .txt.

Seeding is skipped when the database already holds the scale data of N students; the
findings, runs and chunks of earlier benchmarks are removed first. PostgreSQL runs with
whatever configuration it has (the figures in the closing note: its defaults).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import logging
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
Snapshot = dict[str, list[Any]]  # fingerprint: what was decided


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
from supervision.audits import engine  # noqa: E402
from supervision.models import AuditRun, Finding  # noqa: E402
from supervision.rules import Rule, Scope, all_rules  # noqa: E402
from training_portal.celery import app as celery_app  # noqa: E402
from training_portal.core.history import history_context  # noqa: E402
from training_portal.core.models import Job  # noqa: E402

settings.DEBUG = False  # no query log: measure what production runs
logging.getLogger("celery").setLevel(logging.WARNING)  # not a line per chunk
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


#: Seconds the in-process runs spent after the audit's job had ended: the refresh of the
#: public audit summaries, a task of its own that eager mode runs inline (not the audit's).
AFTER_THE_AUDIT: list[float] = []


def real_in_process() -> tuple[float, AuditRun]:
    """start_audit → run_audit → every chunk, in this process, one after the other; timed
    until the audit's job ends (as with workers)."""
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    try:
        started = time.time()
        seconds, run = timed(lambda: engine.start_audit(user=None))
    finally:
        celery_app.conf.task_always_eager = False
        celery_app.conf.task_eager_propagates = False
    run.refresh_from_db()
    assert run.job.status == Job.Status.SUCCEEDED, run.job.error
    assert run.job.finished_at is not None
    audit = run.job.finished_at.timestamp() - started
    AFTER_THE_AUDIT.append(seconds - audit)
    return audit, run


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
    """The real rules' queries alone (every program, in the tasks' batches of programs, hits
    built, nothing written)."""
    rules = all_rules()
    programs = list(
        m.Program.objects.exclude(status="closed").order_by("pk").values_list("pk", flat=True)
    )
    size = settings.AUDIT_PROGRAMS_PER_TASK
    settings_ = engine.effective_settings(rules, programs)
    started = time.perf_counter()
    for rule in rules:
        for i in range(0, len(programs), size):
            batch = tuple(programs[i : i + size])
            thresholds = settings_[(rule.code, batch[0])].thresholds
            with engine._chunk_transaction():  # the planner settings of a task
                for _hit in rule.find(Scope(batch, as_of, thresholds)):
                    pass
    return time.perf_counter() - started


# ---- (b) One hand-written statement per rule -----------------------------------------------
#
# Each rule's SELECT gives what the audit records: program, subject, key, the student, tutor
# and organisation concerned, and the facts (details and evidence, built in SQL). Run alone
# and fetched, it is the lower bound of finding the problems; wrapped in RECORD, the same
# statement also records them as the audit does (insert, refresh, reopen, close the gone
# ones): the lower bound of the audit's work.

OPEN = "JOIN programs_program p ON p.id = s.program_id AND p.status <> 'closed'"
LINE = "JOIN programs_budgetline b ON b.id = e.line_id " \
       "JOIN programs_program p ON p.id = b.program_id AND p.status <> 'closed'"  # fmt: skip
NO_ONE = "NULL::bigint AS student_id, NULL::bigint AS tutor_id"


def money(column: str) -> str:
    return f"({column})::numeric(16, 2)::text"


HANDWRITTEN: dict[str, str] = {
    "milestone_overdue": f"""
        SELECT s.program_id, ms.id AS subject_id, '' AS key, s.id AS student_id,
               NULL::bigint AS tutor_id, NULL::bigint AS organization_id,
               jsonb_build_object('title', ms.title, 'days', %(today)s::date - ms.due_date),
               jsonb_build_object('due_date', ms.due_date,
                                  'days_overdue', %(today)s::date - ms.due_date)
        FROM programs_milestone ms JOIN programs_student s ON s.id = ms.student_id {OPEN}
        WHERE s.status = 'active' AND ms.completed_on IS NULL AND ms.due_date < %(today)s""",
    "supervision_gap": f"""
        SELECT s.program_id, s.id, '', s.id, NULL::bigint, NULL::bigint,
               jsonb_build_object('days', %(today)s::date - coalesce(last.day, s.enrolled_on),
                                  'never', last.day IS NULL),
               jsonb_build_object('last_progress_log', last.day, 'days_without_log',
                                  %(today)s::date - coalesce(last.day, s.enrolled_on))
        FROM programs_student s {OPEN}
        LEFT JOIN LATERAL (SELECT l.date AS day FROM programs_progresslog l
                           WHERE l.student_id = s.id ORDER BY l.date DESC LIMIT 1) last ON true
        WHERE s.status = 'active' AND s.enrolled_on < %(today)s::date - 30
          AND (last.day IS NULL OR last.day < %(today)s::date - 30)""",
    "supervision_frequency": f"""
        SELECT s.program_id, a.id, a.role, s.id, t.user_id, t.organization_id,
               jsonb_build_object('role', a.role, 'contacts', count(l.id),
                                  'required', CASE a.role WHEN 'academic' THEN 3 ELSE 2 END,
                                  'window', 90),
               jsonb_build_object('tutor_role', a.role, 'contacts_in_window', count(l.id),
                                  'required_contacts',
                                  CASE a.role WHEN 'academic' THEN 3 ELSE 2 END,
                                  'window_days', 90)
        FROM programs_tutorassignment a
        JOIN programs_student s ON s.id = a.student_id {OPEN}
        JOIN programs_tutorprofile t ON t.id = a.tutor_id
        LEFT JOIN programs_progresslog l ON l.student_id = a.student_id
             AND l.author_id = t.user_id AND l.date BETWEEN %(today)s::date - 90 AND %(today)s
        WHERE s.status = 'active' AND a.ended_on IS NULL
          AND a.started_on <= %(today)s::date - 90 AND a.role IN ('academic', 'practice')
        GROUP BY s.program_id, a.id, a.role, s.id, t.user_id, t.organization_id
        HAVING count(l.id) < CASE a.role WHEN 'academic' THEN 3 ELSE 2 END""",
    "tutor_over_capacity": """
        SELECT x.home, t.id, '', NULL::bigint, t.user_id, t.organization_id,
               jsonb_build_object('load', x.load, 'capacity', t.capacity),
               jsonb_build_object('current_students', x.load, 'capacity', t.capacity)
        FROM (SELECT a.tutor_id, count(*) AS load, min(s.program_id) AS home
              FROM programs_tutorassignment a JOIN programs_student s ON s.id = a.student_id
              WHERE a.ended_on IS NULL AND s.status = 'active' GROUP BY a.tutor_id) x
        JOIN programs_tutorprofile t ON t.id = x.tutor_id
        JOIN programs_program p ON p.id = x.home AND p.status <> 'closed'
        WHERE x.load > t.capacity""",
    "plan_not_approved": f"""
        SELECT s.program_id, s.id, '', s.id, NULL::bigint, NULL::bigint,
               jsonb_build_object('days', %(today)s::date - s.enrolled_on),
               jsonb_build_object('enrolled_on', s.enrolled_on,
                                  'days_since_enrolment', %(today)s::date - s.enrolled_on)
        FROM programs_student s {OPEN}
        WHERE s.status = 'active' AND s.enrolled_on < %(today)s::date - 90
          AND NOT EXISTS (SELECT 1 FROM programs_trainingplan tp WHERE tp.student_id = s.id
                          AND tp.status IN ('approved', 'superseded'))""",
    "plan_without_ie": f"""
        SELECT s.program_id, tp.id, '', s.id, NULL::bigint, NULL::bigint,
               jsonb_build_object('version', tp.version),
               jsonb_build_object('plan_version', tp.version, 'ie_courses', 0)
        FROM programs_trainingplan tp JOIN programs_student s ON s.id = tp.student_id {OPEN}
        WHERE s.status = 'active' AND tp.status = 'approved'
          AND NOT EXISTS (SELECT 1 FROM programs_trainingplan_courses pc
                          JOIN programs_course c ON c.id = pc.course_id
                          WHERE pc.trainingplan_id = tp.id
                            AND (c.integrates_ie OR c.category = '{IE}'))""",
    "placement_without_tutor": f"""
        SELECT s.program_id, pl.id, '', s.id, NULL::bigint, pl.host_id,
               jsonb_build_object('host', o.name),
               jsonb_build_object('placement_start', pl.start_date, 'practice_tutor', NULL)
        FROM programs_placement pl JOIN programs_student s ON s.id = pl.student_id {OPEN}
        JOIN programs_organization o ON o.id = pl.host_id
        WHERE pl.status = 'active' AND pl.practice_tutor_id IS NULL""",
    "responsibility_unfulfilled": """
        SELECT pp.program_id, r.id, '', NULL::bigint, NULL::bigint, pp.organization_id,
               jsonb_build_object('organization', o.name, 'responsibility', r.responsibility),
               jsonb_build_object('responsibility', r.responsibility,
                                  'period_start', %(today)s::date - 365,
                                  'matching_activities', 0)
        FROM programs_partnerresponsibility r
        JOIN programs_programpartner pp ON pp.id = r.partner_id
        JOIN programs_program p ON p.id = pp.program_id AND p.status <> 'closed'
        JOIN programs_organization o ON o.id = pp.organization_id
        WHERE pp.is_active AND pp.agreement_start <= %(today)s::date - 365
          AND NOT CASE
            WHEN r.responsibility IN ('clinical_practice', 'practical_training') THEN EXISTS (
              SELECT 1 FROM programs_placement pl JOIN programs_student s ON s.id = pl.student_id
              WHERE pl.host_id = pp.organization_id AND s.program_id = pp.program_id
                AND pl.end_date >= %(today)s::date - 365 AND pl.start_date <= %(today)s
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
                AND (a.ended_on IS NULL OR a.ended_on >= %(today)s::date - 365))
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
                AND b.end_date >= %(today)s::date - 365)
            ELSE true END""",
    "agreement_expired": f"""
        SELECT pp.program_id, pp.id, '', {NO_ONE}, pp.organization_id,
               jsonb_build_object('organization', o.name),
               jsonb_build_object('agreement_end', pp.agreement_end,
                                  'days_since_end', %(today)s::date - pp.agreement_end)
        FROM programs_programpartner pp
        JOIN programs_program p ON p.id = pp.program_id AND p.status <> 'closed'
        JOIN programs_organization o ON o.id = pp.organization_id
        WHERE pp.is_active AND pp.agreement_end < %(today)s""",
    "fund_overspend": f"""
        SELECT b.program_id, b.id, '', {NO_ONE}, b.holder_id,
               jsonb_build_object('line', b.title, 'over', {money("e.total - b.amount")}),
               jsonb_build_object('line_amount', {money("b.amount")},
                                  'approved_total', {money("e.total")},
                                  'overspend', {money("e.total - b.amount")})
        FROM programs_budgetline b
        JOIN programs_program p ON p.id = b.program_id AND p.status <> 'closed'
        JOIN (SELECT line_id, sum(amount) AS total FROM programs_expenditure
              WHERE status = 'approved' GROUP BY line_id) e ON e.line_id = b.id
        WHERE e.total > b.amount""",
    "fund_out_of_period": f"""
        SELECT b.program_id, e.id, '', {NO_ONE}, b.holder_id,
               jsonb_build_object('date', e.spent_on, 'amount', {money("e.amount")}),
               jsonb_build_object('spent_on', e.spent_on, 'line_start', b.start_date,
                                  'line_end', b.end_date)
        FROM programs_expenditure e {LINE}
        WHERE e.status IN ('submitted', 'approved')
          AND (e.spent_on < b.start_date OR e.spent_on > b.end_date)""",
    "fund_self_approval": f"""
        SELECT b.program_id, e.id, '', {NO_ONE}, b.holder_id,
               jsonb_build_object('amount', {money("e.amount")}, 'person', u.full_name),
               jsonb_build_object('submitted_by', u.full_name, 'approved_by', u.full_name)
        FROM programs_expenditure e {LINE}
        JOIN accounts_user u ON u.id = e.submitted_by_id
        WHERE e.status = 'approved' AND e.approved_by_id = e.submitted_by_id""",
    "fund_duplicate": f"""
        SELECT b.program_id, min(e.id),
               lower(trim(e.payee)) || '|' || e.amount::text || '|' || e.spent_on::text,
               {NO_ONE}, min(b.holder_id),
               jsonb_build_object('payee', min(e.payee), 'amount', {money("e.amount")},
                                  'date', e.spent_on, 'times', count(*)),
               jsonb_build_object('payee', min(e.payee), 'amount', {money("e.amount")},
                                  'spent_on', e.spent_on, 'occurrences', count(*))
        FROM programs_expenditure e {LINE}
        WHERE e.status IN ('submitted', 'approved')
        GROUP BY b.program_id, lower(trim(e.payee)), e.amount, e.spent_on
        HAVING count(*) > 1""",
    "fund_split": f"""
        SELECT b.program_id, e.id, '', {NO_ONE}, b.holder_id,
               jsonb_build_object('payee', e.payee, 'count', w.n, 'total', {money("w.total")}),
               jsonb_build_object('payee', e.payee, 'payments_in_window', w.n,
                                  'window_total', {money("w.total")},
                                  'approval_threshold', '10000.00', 'window_days', 14)
        FROM programs_expenditure e {LINE}
        JOIN LATERAL (SELECT count(*) AS n, sum(o.amount) AS total FROM programs_expenditure o
                      WHERE o.line_id = e.line_id AND upper(o.payee) = upper(e.payee)
                        AND o.status IN ('submitted', 'approved')
                        AND o.amount >= 9000 AND o.amount < 10000
                        AND o.spent_on BETWEEN e.spent_on - 14 AND e.spent_on) w ON true
        WHERE e.status IN ('submitted', 'approved') AND e.amount >= 9000 AND e.amount < 10000
          AND w.n >= 3""",
    "fund_end_of_period_spike": f"""
        SELECT b.program_id, b.id, '', {NO_ONE}, b.holder_id,
               jsonb_build_object('line', b.title, 'weeks', 4,
                                  'percent', round(x.late * 100 / x.total, 1)::text),
               jsonb_build_object('approved_total', {money("x.total")},
                                  'spent_in_last_weeks', {money("x.late")},
                                  'share_percent', round(x.late * 100 / x.total, 1)::text,
                                  'line_end', b.end_date)
        FROM programs_budgetline b
        JOIN programs_program p ON p.id = b.program_id AND p.status <> 'closed'
        JOIN LATERAL (SELECT coalesce(sum(amount) FILTER (WHERE status = 'approved'), 0)
                               AS total,
                             coalesce(sum(amount) FILTER (WHERE status = 'approved'
                                          AND spent_on > b.end_date - 28), 0) AS late
                      FROM programs_expenditure WHERE line_id = b.id) x ON true
        WHERE b.start_date <= %(today)s AND x.total > 0 AND x.total >= 1000
          AND round(x.late * 100 / x.total, 1) > 50""",
}

RECORD = """
    WITH hits (program_id, subject_id, key, student_id, tutor_id, organization_id, details,
               evidence) AS ({select}),
    up AS (
        INSERT INTO supervision_finding AS f (
            rule, severity, status, fingerprint, program_id, organization_id, student_id,
            tutor_id, subject_type_id, subject_id, details, evidence, first_seen_run_id,
            last_seen_run_id, first_seen_at, last_seen_at, gone_at, reopened_count, due_date,
            corrective_action, dismissal_justification, resolved_at, assignee_id)
        SELECT %(rule)s, %(severity)s, 'open',
               encode(sha256(convert_to(concat_ws('|', %(rule)s, %(subject)s, h.subject_id,
                                                  h.key, h.program_id), 'UTF8')), 'hex'),
               h.program_id, h.organization_id, h.student_id, h.tutor_id, %(subject_type)s,
               h.subject_id, h.details, h.evidence, %(run)s, %(run)s, now(), now(), NULL, 0,
               NULL, '', '', NULL, NULL
        FROM hits h
        ON CONFLICT (fingerprint) DO UPDATE SET
            severity = EXCLUDED.severity, organization_id = EXCLUDED.organization_id,
            student_id = EXCLUDED.student_id, tutor_id = EXCLUDED.tutor_id,
            details = EXCLUDED.details, evidence = EXCLUDED.evidence,
            last_seen_run_id = EXCLUDED.last_seen_run_id, last_seen_at = EXCLUDED.last_seen_at,
            gone_at = NULL,
            status = CASE WHEN f.status = 'resolved' THEN 'open' ELSE f.status END,
            resolved_at = CASE WHEN f.status = 'resolved' THEN NULL ELSE f.resolved_at END,
            reopened_count = f.reopened_count + (f.status = 'resolved')::int
        RETURNING f.id),
    gone AS (
        UPDATE supervision_finding g SET status = 'resolved', gone_at = now(), resolved_at = now()
        WHERE g.rule = %(rule)s AND g.status IN ('open', 'acknowledged', 'in_remediation')
          AND g.program_id IN (SELECT id FROM programs_program WHERE status <> 'closed')
          AND g.id NOT IN (SELECT id FROM up)
        RETURNING g.id)
    SELECT (SELECT count(*) FROM up), (SELECT count(*) FROM gone)"""


def handwritten_find(as_of: dt.date) -> tuple[dict[str, float], dict[str, Subjects]]:
    """Each rule's statement alone, fetched: finding the problems and nothing else."""
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


def handwritten_record(run: AuditRun, *, fresh: bool) -> tuple[dict[str, float], Snapshot]:
    """Each rule's statement recording its findings, on the findings as they are (or on an
    empty table when `fresh`), each in a transaction of its own (as if run on its own) that
    is rolled back afterwards. Returns the times and what the findings table would hold."""
    from django.contrib.contenttypes.models import ContentType

    rules = {rule.code: rule for rule in all_rules()}
    times: dict[str, float] = {}
    shot: Snapshot = {}
    for code, select in HANDWRITTEN.items():
        rule = rules[code]
        params: dict[str, Any] = {
            "today": run.as_of,
            "rule": code,
            "severity": rule.severity,
            "subject": rule.subject,
            "subject_type": ContentType.objects.get_by_natural_key(*rule.subject.split(".")).pk,
            "run": run.pk,
        }
        with (
            contextlib.suppress(Rollback),
            transaction.atomic(),
            # As the audit does: its history events name the run (without a context, the
            # history trigger's context lookup fails and recovers once per row: slower).
            history_context(audit_run=run.pk, bench="hand-written"),
            connection.cursor() as cursor,
        ):
            # The best case: memory enough for every hash (of the found ids, say) at once;
            # and, as in the audit's chunks, foreign keys checked per statement (deferred
            # checks make the history trigger's writes quadratic).
            cursor.execute("SET LOCAL work_mem TO '256MB'; SET CONSTRAINTS ALL IMMEDIATE")
            if fresh:
                cursor.execute("TRUNCATE supervision_finding CASCADE")
            started = time.perf_counter()
            cursor.execute(RECORD.format(select=select), params)
            cursor.fetchone()
            times[code] = time.perf_counter() - started
            shot.update(snapshot(rule=code))
            raise Rollback
    return times, shot


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


def snapshot(**filters: Any) -> Snapshot:
    """The findings by fingerprint: what an audit decided (not when it ran)."""
    return {
        fingerprint: rest
        for fingerprint, *rest in Finding.objects.filter(**filters).values_list(
            "fingerprint", "rule", "status", "program_id", "subject_id", "student_id",
            "tutor_id", "organization_id", "details", "evidence", "reopened_count",
        ).iterator(chunk_size=10_000)
    }  # fmt: skip


def differences(name: str, theirs: Snapshot, ours: Snapshot) -> list[str]:
    if theirs == ours:
        return []
    only_ours, only_theirs = ours.keys() - theirs.keys(), theirs.keys() - ours.keys()
    changed = [k for k in ours.keys() & theirs.keys() if ours[k] != theirs[k]]
    sample = [(ours[k], theirs[k]) for k in changed[:2]]
    return [
        f"{name}: {len(only_ours)} findings only in the real audit, {len(only_theirs)} only "
        f"in {name}, {len(changed)} different, e.g. {sample}"
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--students", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=1000, help="students of the naive loop")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (0: skip)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    report = Report(args.students, args.sample)
    say = report.say
    prepare(args.students, report)

    first, run1 = real_in_process()
    say(f"real audit, first run (creates every finding)     {first:8.2f} s")
    second, run2 = real_in_process()
    say(f"real audit, second run (finds them all again)     {second:8.2f} s")
    findings = sum(c["found"] for c in run2.counts.values())
    chunks = run2.chunks.count()
    say(f"  {findings:,} findings, {chunks} chunks (rule x program), one process")
    say(
        f"  then, after the job's end, the public audit summaries' refresh (its own task): "
        f"{AFTER_THE_AUDIT[-1]:.2f} s"
    )
    real = found_in(run2)
    recorded = snapshot()
    rules_alone = rules_only(run2.as_of)
    say(f"  the rules' queries alone (nothing recorded)     {rules_alone:8.2f} s")
    parallel = None
    if args.workers:
        parallel, run3 = real_with_workers(args.workers)
        say(f"real audit, {args.workers} Celery worker processes (re-run)  {parallel:8.2f} s")
        assert found_in(run3) == real, "the workers' run found something else"

    hand_fresh, fresh_shot = handwritten_record(run2, fresh=True)
    hand_again, again_shot = handwritten_record(run2, fresh=False)
    find_times, hand_found = handwritten_find(run2.as_of)
    b_first, b_again, b_find = (sum(t.values()) for t in (hand_fresh, hand_again, find_times))
    say(f"(b) hand-written SQL, one statement per rule, recording (first run)  {b_first:6.2f} s")
    say(f"(b) hand-written SQL, one statement per rule, recording (re-run)     {b_again:6.2f} s")
    say(f"(b) the same statements finding only (fetched, nothing recorded)    {b_find:6.2f} s")
    for rule, seconds in sorted(hand_again.items(), key=lambda x: -x[1])[:5]:
        say(f"      {rule:<28} {seconds:7.2f} s  {len(hand_found[rule]):>7,} findings")

    naive_times, loop, sample = naive(run2, args.sample, args.seed)
    naive_total = sum(naive_times.values())
    say(f"(a) naive ORM loop on a sample, scaled to all subjects  {naive_total:8.0f} s")
    for kind, seconds in naive_times.items():
        say(f"      {kind:<28} {seconds:7.0f} s")

    say()
    say(
        f"naive / real (re-run)                       {naive_total / second:8.1f} x   (goal >= 100)"
    )
    say(f"real / hand-written, recording, re-run      {second / b_again:8.2f} x   (goal <= 2)")
    say(f"real / hand-written, recording, first run   {first / b_first:8.2f} x")
    say(f"real / hand-written, finding only           {second / b_find:8.2f} x")
    if parallel:
        say(f"naive / real with {args.workers} workers {naive_total / parallel:23.1f} x")
        say(f"real with {args.workers} workers / hand-written, re-run {parallel / b_again:8.2f} x")

    problems = (
        compare("naive", loop.found, real, sample)
        + compare("hand-written", hand_found, real)
        + differences("hand-written (first run)", fresh_shot, recorded)
        + differences("hand-written (re-run)", again_shot, recorded)
    )
    in_sample = sum(len({s for s in real.get(r, set()) if s[1] in sample[r]}) for r in sample)
    if problems:
        say("CHECK FAILED")
    else:
        say(
            f"checked: the naive loop finds what the real audit finds on the sample "
            f"({in_sample:,} findings); the hand-written statements find and record exactly "
            f"the real audit's {findings:,} findings (same fingerprints, status, facts)"
        )
    for problem in problems:
        say("  " + problem)
    report.figures.update(
        {
            "real_first_run_s": first,
            "real_second_run_s": second,
            "real_rules_alone_s": rules_alone,
            "real_workers_s": parallel,
            "workers": args.workers,
            "handwritten_recording_first_run_s": b_first,
            "handwritten_recording_rerun_s": b_again,
            "handwritten_finding_only_s": b_find,
            "handwritten_per_rule_s": hand_again,
            "naive_scaled_s": naive_times,
            "naive_over_real": naive_total / second,
            "real_over_handwritten": second / b_again,
            "real_over_handwritten_finding_only": second / b_find,
            "findings": findings,
            "chunks": chunks,
            "first_run_counts": run1.counts,
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
