"""Benchmark: the web tier under a real institution's load, on `seed_scale` data, served the
way production serves it.

    make bench-load                                  (100,000 students, database bench_load)
    make bench-load BENCH_LOAD_STUDENTS=2000 BENCH_LOAD_ARGS="--duration 20 --users 40"
    .venv/bin/python bench/load.py --students 2000 --repeat 3 --concurrency 10 --duration 20

What runs: gunicorn (as the Dockerfile and docker-compose.yml: `gunicorn.conf.py`, pooled), a Celery
worker (prefork, concurrency 2) on Redis, PostgreSQL, DEBUG off, a generated SECRET_KEY,
collected static files, the cache on Redis; on 127.0.0.1 at free ports. HTTPS is off (no
proxy in front) and the public rate limit too (every simulated visitor comes from
127.0.0.1). A second gunicorn (one worker) serves `bench/bare.py`, the baseline of the API
lists: the same page of rows fetched with `.values()` and serialised by `json.dumps`.

Accounts: one or more scale accounts per role (program administrators of the largest
programs, partner coordinators, academic and practice tutors, students) get a password (one
hash, set with one UPDATE); a portal administrator and an inspector are added (scale
e-mails: `seed_scale` purges them with the rest). Each signs in through the login form
(CSRF token, session cookie). Anonymous visitors read the public pages.

It prints per endpoint p50/p95/p99 (ms), errors and throughput for: (1) each endpoint alone
(`--repeat` sequential requests after one warm-up), with the bare baseline beside each API
list and the ratio; (2) saturation: `--concurrency` users without think time for
`--duration` s; (3) `--users` users with 5-10 s think time for `--think-duration` s while
audits of the whole portal run (started through `engine.start_audit`, again as soon as one
ends). Then the query plans of every endpoint's queries (EXPLAIN, run in this process with
the same user): the ones that read a whole large table are listed. The goals of the issue
are printed beside the figures. Results go to bench/results/load-<N>.json and .txt.

Seeding is skipped when the database already holds the scale data of N students; a first
audit is run when there are no findings yet (the findings pages need some).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import math
import os
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
#: The production web server's configuration, when there is one (else `--workers 3`).
CONFIG = ROOT / "gunicorn.conf.py"
LOGS = ROOT / "var" / "bench-load"

# ---- The mix (pure: the test checks that every URL resolves) --------------------------------

ANONYMOUS = "anonymous"
ROLES = (
    "portal_admin",
    "program_admin",
    "partner_coordinator",
    "academic_tutor",
    "practice_tutor",
    "student",
    "inspector",
    ANONYMOUS,
)


@dataclass(frozen=True)
class Endpoint:
    role: str
    url_name: str
    #: The URL's argument: "program" (the program administrator's program), "student" (one of
    #: the tutor's students) or None.
    arg: str | None = None

    @property
    def is_api(self) -> bool:
        return self.url_name.startswith("api:")

    @property
    def is_public(self) -> bool:
        return self.role == ANONYMOUS

    @property
    def label(self) -> str:
        return f"{self.role} {self.url_name}"


def _role(role: str, *names: str) -> list[Endpoint]:
    result = []
    for name in names:
        url_name, _, arg = name.partition("@")
        result.append(Endpoint(role, url_name, arg or None))
    return result


#: The common pages and API lists of every role (what the saturation and think-time phases
#: pick from, uniformly per user).
MIX: tuple[Endpoint, ...] = tuple(
    _role(
        "portal_admin",
        "core:home",
        "supervision:finding-list",
        "supervision:dashboard",
        "programs:program-list",
        "programs:placement-list",
        "inspections:inspection-list",
        "api:progress-log-list",
        "api:finding-list",
        "api:student-list",
    )
    + _role(
        "program_admin",
        "core:home",
        "supervision:finding-list",
        "supervision:dashboard",
        "programs:program-detail@program",
        "programs:plans-to-approve",
        "programs:placement-list",
        "inspections:inspection-list",
        "api:progress-log-list",
        "api:student-list",
        "api:finding-list",
        "api:training-plan-list",
        "api:placement-list",
    )
    + _role(
        "partner_coordinator",
        "core:home",
        "programs:placement-list",
        "supervision:finding-list",
        "api:student-list",
        "api:placement-list",
    )
    + _role(
        "academic_tutor",
        "core:home",
        "programs:my-students",
        "programs:student@student",
        "programs:plans-to-approve",
        "api:progress-log-list",
        "api:student-list",
    )
    + _role(
        "practice_tutor",
        "core:home",
        "programs:my-students",
        "programs:cases-to-verify",
        "api:case-log-list",
    )
    + _role(
        "student",
        "core:home",
        "programs:my-plan",
        "api:progress-log-list",
        "api:milestone-list",
        "api:case-log-list",
    )
    + _role("inspector", "core:home", "inspections:inspection-list", "api:inspection-list")
    + _role(
        ANONYMOUS,
        "public:home",
        "public:report-list",
        "public:summary-list",
        "api:public-audit-summary-list",
        "api:public-inspection-list",
    )
)


# ---- Figures (pure) -------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) of `values`, linear between the closest ranks (NaN if
    there are none)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def ratio(value: float, baseline: float) -> float:
    """value / baseline, NaN when either is missing or the baseline is zero."""
    if math.isnan(value) or math.isnan(baseline) or baseline <= 0:
        return math.nan
    return value / baseline


@dataclass
class Stats:
    """The requests of one endpoint in one phase: seconds of the answered ones, errors."""

    seconds: list[float] = field(default_factory=list)
    errors: int = 0
    statuses: dict[str, int] = field(default_factory=dict)

    def add(self, seconds: float, status: int | str) -> None:
        ok = status == 200
        if ok:
            self.seconds.append(seconds)
        else:
            self.errors += 1
        key = str(status)
        self.statuses[key] = self.statuses.get(key, 0) + 1

    @property
    def count(self) -> int:
        return len(self.seconds) + self.errors

    def ms(self, q: float) -> float:
        return percentile(self.seconds, q) * 1000

    def summary(self, duration: float | None = None) -> dict[str, Any]:
        return {
            "requests": self.count,
            "errors": self.errors,
            "statuses": self.statuses,
            "p50_ms": self.ms(50),
            "p95_ms": self.ms(95),
            "p99_ms": self.ms(99),
            "per_s": self.count / duration if duration else None,
        }


def fmt(ms: float) -> str:
    return "-" if math.isnan(ms) else f"{ms:,.0f}" if ms >= 10 else f"{ms:.1f}"


def table_line(label: str, stats: Stats, duration: float | None = None, extra: str = "") -> str:
    rate = f"{stats.count / duration:7.1f}" if duration else " " * 7
    return (
        f"  {label:<52} {stats.count:>6} {stats.errors:>4} {fmt(stats.ms(50)):>7} "
        f"{fmt(stats.ms(95)):>7} {fmt(stats.ms(99)):>7} {rate}{extra}"
    )


HEADER = f"  {'endpoint (role url)':<52} {'reqs':>6} {'err':>4} {'p50':>7} {'p95':>7} {'p99':>7}"

GOALS = {
    "alone": "goal: p50 <= 150 ms for every page and API list; cached public pages < 10 ms; "
    "API lists within 2x their bare .values() baseline",
    "saturation": "goal: >= 10x today's ~5 req/s, i.e. >= 50 req/s",
    "think": "goal: 0 errors, p95 <= 500 ms, p99 <= 1,000 ms",
    "plans": "goal: no list query reads a whole table of millions of rows",
}


# ---- HTTP client: asyncio streams, one connection per request (gunicorn's sync workers close
# it anyway), HTTP/1.0 so that no answer is chunked. ----------------------------------------


@dataclass
class Answer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


class Session:
    """One signed-in (or anonymous) visitor: its cookies."""

    def __init__(self, role: str, email: str = "") -> None:
        self.role, self.email = role, email
        self.cookies: dict[str, str] = {}
        #: The URL of each endpoint of the role for this visitor (its program, its student).
        self.urls: dict[Endpoint, str] = {}

    async def request(
        self, port: int, method: str, path: str, body: bytes = b"", timeout: float = 120
    ) -> Answer:
        headers = [
            f"{method} {path} HTTP/1.0",
            f"Host: 127.0.0.1:{port}",
            "Accept: text/html,application/json",
            "Accept-Encoding: identity",
        ]
        if self.cookies:
            headers.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        if body:
            headers += [
                "Content-Type: application/x-www-form-urlencoded",
                f"Content-Length: {len(body)}",
            ]
        reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), timeout)
        try:
            writer.write(("\r\n".join(headers) + "\r\n\r\n").encode() + body)
            await writer.drain()
            data = await asyncio.wait_for(reader.read(), timeout)
        finally:
            writer.close()
        head, _, content = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        parsed = [tuple(x.strip() for x in line.split(":", 1)) for line in lines[1:] if ":" in line]
        pairs: list[tuple[str, str]] = [(k, v) for k, v in parsed]
        for key, value in pairs:
            if key.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return Answer(status, pairs, content)

    async def timed(self, port: int, path: str) -> tuple[float, int | str]:
        started = time.perf_counter()
        try:
            answer = await self.request(port, "GET", path)
            status: int | str = answer.status
        except (OSError, TimeoutError, ValueError, IndexError) as error:
            status = type(error).__name__
        return time.perf_counter() - started, status

    async def sign_in(self, port: int, password: str) -> None:
        form = await self.request(port, "GET", "/accounts/login/")
        found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', form.body)
        assert found, f"no CSRF token on the login page ({form.status})"
        from urllib.parse import urlencode

        body = urlencode(
            {
                "csrfmiddlewaretoken": found.group(1).decode(),
                "username": self.email,
                "password": password,
                "next": "/",
            }
        ).encode()
        answer = await self.request(port, "POST", "/accounts/login/", body)
        assert answer.status == 302 and "sessionid" in self.cookies, (
            f"{self.email} could not sign in ({answer.status})"
        )


# ---- The run --------------------------------------------------------------------------------


@dataclass
class Report:
    students: int
    lines: list[str] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)

    def say(self, text: str = "") -> None:
        print(text, flush=True)
        self.lines.append(text)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def environment(database_url: str, redis_url: str, port: int) -> dict[str, str]:
    """The production environment of the served processes (docker-compose.yml's, without
    the HTTPS proxy)."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "training_portal.settings",
        "DEBUG": "false",
        "TESTING": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,testserver",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": redis_url,
        "CACHE_URL": redis_url,
        "SECURE_SSL": "false",
        "PUBLIC_RATE_LIMIT": "0",
        "STATIC_ROOT": str(LOGS / "static"),
        "MEDIA_ROOT": str(LOGS / "media"),
        "CELERY_QUEUE": f"bench-load-{uuid.uuid4().hex[:8]}",
        "LOG_LEVEL": "WARNING",
    }


def prepare_environment(args: argparse.Namespace) -> dict[str, str]:
    LOGS.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = environment(args.database_url, args.redis_url, port)
    env["BENCH_LOAD_PORT"] = str(port)
    os.environ.update(env)  # this process: the same settings (audits, accounts, EXPLAIN)
    return env


def static_outdated() -> bool:
    """Whether the collected static files (the manifest) are older than a source of them:
    the project's static/ or the installed packages (collectstatic takes minutes here)."""
    manifest = LOGS / "static" / "staticfiles.json"
    if not manifest.exists():
        return True
    sources = [ROOT / "requirements" / "dev.txt", *(ROOT / "static").rglob("*")]
    return max(p.stat().st_mtime for p in sources) > manifest.stat().st_mtime


def ensure_database(url: str, students: int) -> None:
    """Create the benchmark database if it does not exist (PostgreSQL only). A database that
    holds the scale data of another number of students is dropped and created again: it is
    the benchmark's own, and the audits and publications of an earlier run point at its
    programs (a published audit summary protects its program from `seed_scale`'s purge)."""
    import psycopg

    base, _, name = url.rpartition("/")
    try:
        with psycopg.connect(url) as db:
            held = db.execute(
                "SELECT count(*) FROM programs_student WHERE student_number LIKE 'SCALE-%%'"
            ).fetchone()
    except psycopg.errors.UndefinedTable:
        return  # not migrated yet
    except psycopg.OperationalError:
        held = None
    with psycopg.connect(base + "/postgres", autocommit=True) as admin:
        if held is not None and held[0] not in (0, students):
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            held = None
        if held is None:
            admin.execute(f'CREATE DATABASE "{name}"')


def prepare_data(students: int, report: Report) -> None:
    from django.core.management import call_command
    from django.db import connection

    from programs import models as m
    from programs.scale import CODE_PREFIX, seed_scale

    call_command("migrate", verbosity=0, interactive=False)
    have = m.Student.objects.filter(student_number__startswith=CODE_PREFIX).count()
    if have != students:
        report.say(f"seeding {students:,} students (seed_scale) …")
        started = time.perf_counter()
        seed_scale(students)
        report.say(f"  seeded in {time.perf_counter() - started:.0f} s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    counts = {
        "students": m.Student.objects.count(),
        "programs": m.Program.objects.count(),
        "progress logs": m.ProgressLog.objects.count(),
        "case logs": m.CaseLog.objects.count(),
        "milestones": m.Milestone.objects.count(),
    }
    report.figures["data"] = counts
    report.say("data: " + ", ".join(f"{v:,} {k}" for k, v in counts.items()))


def accounts(per_role: int, password: str) -> list[Session]:
    """Sessions (not signed in yet) for `per_role` accounts of each role, their password set,
    with the URLs of their role's endpoints."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import Count
    from django.utils import timezone

    from accounts.models import RoleMembership, User
    from accounts.roles import Role
    from programs import models as m
    from programs.scale import EMAIL_DOMAIN, EMAIL_PREFIX
    from supervision.inspections.services import create_assignment
    from supervision.models import InspectorProfile

    hashed = make_password(password)  # hashing is slow: once for every account
    made: dict[str, str] = {
        Role.PORTAL_ADMIN: f"{EMAIL_PREFIX}bench-portal-admin{EMAIL_DOMAIN}",
        Role.INSPECTOR: f"{EMAIL_PREFIX}bench-inspector{EMAIL_DOMAIN}",
    }
    made_users: dict[str, Any] = {}
    for role, email in made.items():
        user, _ = User.objects.get_or_create(email=email, defaults={"full_name": str(role)})
        RoleMembership.objects.get_or_create(user=user, role=role, scope_type=None)
        made_users[role] = user
    ct_program = ContentType.objects.get_for_model(m.Program)
    # The largest programs first: their administrators are the ones the issue measures.
    largest = list(
        m.Program.objects.filter(code__startswith="SCALE-")
        .annotate(n=Count("students"))
        .order_by("-n", "pk")
        .values_list("pk", flat=True)
    )
    inspector = made_users[Role.INSPECTOR]
    InspectorProfile.objects.get_or_create(user=inspector)
    if not inspector.inspection_assignments.exists():  # the largest program, for 5 years
        today = timezone.localdate()
        create_assignment(
            by=made_users[Role.PORTAL_ADMIN],
            inspector=inspector,
            program=m.Program.objects.get(pk=largest[0]),
            valid_from=today,
            valid_until=today + dt.timedelta(days=5 * 365),
        )
    chosen: dict[str, list[int]] = {}
    for role in ROLES:
        if role == ANONYMOUS:
            continue
        memberships = RoleMembership.objects.filter(
            role=role, user__email__startswith=EMAIL_PREFIX, user__email__endswith=EMAIL_DOMAIN
        )
        if role == Role.PROGRAM_ADMIN:
            order = {pk: i for i, pk in enumerate(largest)}
            rows = memberships.filter(scope_type=ct_program).values_list("user_id", "scope_id")
            users = [u for u, p in sorted(rows, key=lambda r: order.get(r[1] or 0, 1 << 30))]
        else:
            users = list(memberships.order_by("user_id").values_list("user_id", flat=True))
        chosen[role] = list(dict.fromkeys(users))[:per_role]
        assert chosen[role], f"no scale account holds the role {role}"
    every = [pk for pks in chosen.values() for pk in pks]
    User.objects.filter(pk__in=every).update(password=hashed, is_active=True)
    emails = dict(User.objects.filter(pk__in=every).values_list("pk", "email"))
    programs = dict(
        RoleMembership.objects.filter(user__in=every, role=Role.PROGRAM_ADMIN).values_list(
            "user_id", "scope_id"
        )
    )
    students = dict(
        m.TutorAssignment.objects.filter(tutor__user__in=every)
        .order_by("-pk")  # the first one of each tutor wins
        .values_list("tutor__user_id", "student_id")
    )
    sessions = []
    for role, pks in [*chosen.items(), (ANONYMOUS, [0] * per_role)]:
        for pk in pks:
            session = Session(role, emails.get(pk, ""))
            args = {"program": programs.get(pk) or 0, "student": students.get(pk) or 0}
            session.urls = {e: url_of(e, args) for e in MIX if e.role == role}
            sessions.append(session)
    return sessions


def url_of(endpoint: Endpoint, args: dict[str, int]) -> str:
    from django.urls import reverse

    kwargs = {"pk": args[endpoint.arg]} if endpoint.arg else {}
    assert all(kwargs.values()), f"no {endpoint.arg} for {endpoint.label}"
    return reverse(endpoint.url_name, kwargs=kwargs)


@contextlib.contextmanager
def served(env: dict[str, str], port: int, bare_port: int, report: Report) -> Iterator[None]:
    """The web server, the bare app (1 worker) and a Celery worker, stopped at the end."""
    gunicorn = [sys.executable, "-m", "gunicorn", "--chdir", str(ROOT), "--no-control-socket"]
    # The web server as the Dockerfile and docker-compose.yml start it: their gunicorn.conf.py
    # (workers and threads from the cores; compose's web pools its database connections).
    web = (
        ["--config", str(CONFIG), "--bind", f"127.0.0.1:{port}"]
        if CONFIG.exists()
        else ["--bind", f"127.0.0.1:{port}", "--workers", "3"]
    )
    commands = {
        "web": [*gunicorn, *web, "training_portal.wsgi:application"],
        "bare": [*gunicorn, "bench.bare:application", "--bind", f"127.0.0.1:{bare_port}",
                 "--workers", "1"],
        "worker": [sys.executable, "-m", "celery", "-A", "training_portal", "worker",
                   "--pool=prefork", "--concurrency=2", "-Q", env["CELERY_QUEUE"],
                   "-n", f"bench-load-{uuid.uuid4().hex[:6]}@%h", "--without-gossip",
                   "--without-mingle", "--loglevel=WARNING"],
    }  # fmt: skip
    processes: list[subprocess.Popen[bytes]] = []
    try:
        for name, command in commands.items():
            log = (LOGS / f"{name}.log").open("ab")
            own = {**env, "DATABASE_POOL": "true"} if name == "web" and CONFIG.exists() else env
            processes.append(
                subprocess.Popen(
                    command, cwd=ROOT, env=own, stdout=log, stderr=log, start_new_session=True
                )
            )
        deadline = time.monotonic() + 60
        for p in (port, bare_port):
            while True:
                with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", p)):
                    break
                assert time.monotonic() < deadline, f"gunicorn did not start (see {LOGS})"
                assert all(x.poll() is None for x in processes), f"a process ended (see {LOGS})"
                time.sleep(0.2)
        how = "gunicorn.conf.py, pooled connections" if CONFIG.exists() else "--workers 3"
        report.say(
            f"serving: gunicorn ({how}) on 127.0.0.1:{port}, the bare baseline on "
            f":{bare_port}, Celery prefork 2 on queue {env['CELERY_QUEUE']} (logs: {LOGS})"
        )
        yield
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                # Its whole group: a gunicorn worker busy on a long request outlives its master.
                os.killpg(process.pid, signal.SIGKILL)


def start_audit() -> Any:
    from supervision.audits import engine

    return engine.start_audit(user=None)


def audit_finished(run: Any) -> bool:
    from django.db import connection

    from training_portal.core.models import Job

    try:
        return Job.objects.get(pk=run.job_id).is_finished
    finally:
        connection.close()


def first_audit(report: Report) -> None:
    """An audit of the whole portal, if none has recorded findings yet (the findings lists
    need some)."""
    from supervision.models import Finding

    if Finding.objects.exists():
        return
    report.say("a first audit of the whole portal (the findings pages need findings) …")
    started = time.perf_counter()
    run = start_audit()
    while not audit_finished(run):
        time.sleep(0.5)
    report.say(f"  done in {time.perf_counter() - started:.1f} s")


async def sign_in_all(sessions: list[Session], port: int, password: str) -> None:
    signed = [s for s in sessions if s.role != ANONYMOUS]
    for i in range(0, len(signed), 3):  # as many at a time as there are workers
        await asyncio.gather(*(s.sign_in(port, password) for s in signed[i : i + 3]))


def by_role(sessions: list[Session]) -> dict[str, list[Session]]:
    result: dict[str, list[Session]] = defaultdict(list)
    for s in sessions:
        result[s.role].append(s)
    return result


async def alone(
    sessions: dict[str, list[Session]],
    port: int,
    bare_port: int,
    repeat: int,
) -> tuple[dict[Endpoint, Stats], dict[Endpoint, Stats]]:
    """(1) Each endpoint alone: one warm-up, then `repeat` requests one after the other; for
    the API lists the bare baseline the same way, interleaved."""
    pages: dict[Endpoint, Stats] = defaultdict(Stats)
    bare: dict[Endpoint, Stats] = defaultdict(Stats)
    for endpoint in MIX:
        session = sessions[endpoint.role][0]
        url = session.urls[endpoint]
        with_bare = endpoint.is_api
        await session.timed(port, url)
        if with_bare:
            await session.timed(bare_port, "/bare" + url)
        for _ in range(repeat):
            pages[endpoint].add(*await session.timed(port, url))
            if with_bare:
                bare[endpoint].add(*await session.timed(bare_port, "/bare" + url))
    return pages, bare


async def crowd(
    sessions: list[Session],
    port: int,
    users: int,
    duration: float,
    think: tuple[float, float],
    seed: int,
) -> tuple[dict[Endpoint, Stats], Stats, float]:
    """`users` visitors (the roles in turn, each with one of its sessions) requesting
    endpoints of their role at random, with `think` seconds between requests, for
    `duration` seconds (requests under way at the end are awaited and counted)."""
    rng = random.Random(seed)
    roles = by_role(sessions)
    per_role = {role: [e for e in MIX if e.role == role] for role in roles}
    order = [r for r in ROLES if per_role.get(r)]
    stats: dict[Endpoint, Stats] = defaultdict(Stats)
    total = Stats()
    started = time.perf_counter()
    end = started + duration

    async def user(i: int) -> None:
        role = order[i % len(order)]
        session = roles[role][(i // len(order)) % len(roles[role])]
        if think[1]:
            await asyncio.sleep(rng.uniform(0, think[1]))  # arrive spread out
        while time.perf_counter() < end:
            endpoint = rng.choice(per_role[role])
            seconds, status = await session.timed(port, session.urls[endpoint])
            stats[endpoint].add(seconds, status)
            total.add(seconds, status)
            if think[1]:
                await asyncio.sleep(min(rng.uniform(*think), max(end - time.perf_counter(), 0)))

    await asyncio.gather(*(user(i) for i in range(users)))
    return stats, total, time.perf_counter() - started


def report_alone(
    report: Report, pages: dict[Endpoint, Stats], bare: dict[Endpoint, Stats]
) -> list[dict[str, Any]]:
    say = report.say
    say()
    say("(1) each endpoint alone (sequential; ms; API lists: the bare .values() baseline, ratio)")
    say(f"    {GOALS['alone']}")
    say(HEADER + f" {'bare p50':>9} {'ratio':>6}")
    rows = []
    for endpoint, stats in pages.items():
        extra = ""
        row: dict[str, Any] = {"endpoint": endpoint.label, **stats.summary()}
        limit = 10 if endpoint.is_public and not endpoint.is_api else 150
        miss = stats.ms(50) > limit or stats.errors
        if endpoint in bare:
            base = bare[endpoint].ms(50)
            times = ratio(stats.ms(50), base)
            row.update(bare=bare[endpoint].summary(), ratio=times)
            miss = miss or times > 2 or bare[endpoint].errors
            extra = f" {fmt(base):>9} {times:6.1f}"
        row["meets_goal"] = not miss
        say(table_line(endpoint.label, stats) + extra.ljust(17) + ("  MISS" if miss else ""))
        rows.append(row)
    missed = sum(not r["meets_goal"] for r in rows)
    say(f"    {len(rows) - missed} of {len(rows)} endpoints meet the goal")
    return rows


def report_crowd(
    report: Report,
    title: str,
    goal: str,
    stats: dict[Endpoint, Stats],
    total: Stats,
    seconds: float,
) -> dict[str, Any]:
    say = report.say
    say()
    say(title)
    say(f"    {goal}")
    say(HEADER + f" {'req/s':>7}")
    for endpoint in sorted(stats, key=lambda e: (ROLES.index(e.role), e.url_name)):
        say(table_line(endpoint.label, stats[endpoint], seconds))
    say(table_line("ALL", total, seconds))
    say(f"    {total.count:,} requests in {seconds:.1f} s: {total.count / seconds:.1f} req/s")
    return {
        "seconds": seconds,
        "total": total.summary(seconds),
        "endpoints": {e.label: s.summary(seconds) for e, s in stats.items()},
    }


async def think_phase(
    sessions: list[Session],
    port: int,
    args: argparse.Namespace,
) -> tuple[dict[Endpoint, Stats], Stats, float, list[float]]:
    """(3) Users with think time while audits of the whole portal run one after the other."""
    audits: list[float] = []
    stop = asyncio.Event()

    async def audit_loop() -> None:
        while not stop.is_set():
            started = time.perf_counter()
            run = await asyncio.to_thread(start_audit)
            while not await asyncio.to_thread(audit_finished, run):
                await asyncio.sleep(0.5)
            audits.append(time.perf_counter() - started)

    auditing = asyncio.create_task(audit_loop())
    try:
        stats, total, seconds = await crowd(
            sessions, port, args.users, args.think_duration, (5.0, 10.0), args.seed + 1
        )
    finally:
        stop.set()
        await auditing
    return stats, total, seconds, audits


# ---- Query plans ----------------------------------------------------------------------------


def plans(sessions: list[Session], big: int) -> list[dict[str, Any]]:
    """Every query of every endpoint (run here with Django's test client as the same user),
    EXPLAINed: the sequential scans of tables of `big` rows or more, and the plan of the most
    costly query."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reltuples::bigint FROM pg_class WHERE relkind = 'r'"
            " AND relnamespace = 'public'::regnamespace"
        )
        sizes = dict(cursor.fetchall())
    result = []
    first = {s.role: s for s in reversed(sessions)}  # the first account of each role
    for endpoint in MIX:
        session = first[endpoint.role]
        url = session.urls[endpoint]
        client = Client()
        if endpoint.role != ANONYMOUS:
            client.force_login(User.objects.get(email=session.email))
        with CaptureQueriesContext(connection) as captured:
            status = client.get(url).status_code
        explained: list[dict[str, Any]] = []
        for query in captured.captured_queries:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
                continue
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN " + sql)
                plan = [row[0] for row in cursor.fetchall()]
            cost = float(re.search(r"cost=[\d.]+\.\.([\d.]+)", plan[0]).group(1))  # type: ignore[union-attr]
            scans = sorted(
                {
                    f"{name} ({sizes[name]:,} rows)"
                    for line in plan
                    for name in re.findall(r"Seq Scan on (\w+)", line)
                    if sizes.get(name, 0) >= big
                }
            )
            explained.append({"sql": sql, "cost": cost, "plan": plan, "whole_tables": scans})
        explained.sort(key=lambda q: -q["cost"])
        result.append(
            {"endpoint": endpoint.label, "status": status, "queries": len(explained),
             "whole_tables": sorted({t for q in explained for t in q["whole_tables"]}),
             "costliest": explained[0] if explained else None}
        )  # fmt: skip
    return result


def report_plans(report: Report, rows: list[dict[str, Any]], big: int) -> None:
    say = report.say
    say()
    say(f"query plans (EXPLAIN of every query of each endpoint; whole reads of tables >= {big:,})")
    say(f"    {GOALS['plans']}")
    for row in rows:
        scans = ", ".join(row["whole_tables"]) or "none"
        say(f"  {row['endpoint']:<52} {row['queries']:>3} queries; whole tables read: {scans}")
    say()
    say("  the costliest query of each endpoint that reads a whole large table, and its plan")
    say("  (every query's plan: in the .json):")
    for row in rows:
        if row["whole_tables"] and row["costliest"]:
            say(f"  -- {row['endpoint']} (cost {row['costliest']['cost']:,.0f})")
            say(f"       {row['costliest']['sql'][:400]}")
            for line in row["costliest"]["plan"][:25]:
                say(f"       {line}")


def summary(report: Report) -> None:
    """The goals against the figures, in a few lines."""
    figures, say = report.figures, report.say
    alone_rows = figures["alone"]
    met = sum(r["meets_goal"] for r in alone_rows)
    rate = figures["saturation"]["total"]["per_s"]
    think = figures["think"]["total"]
    say()
    say("goals")
    say(f"  alone: {met} of {len(alone_rows)} endpoints meet theirs (p50 <= 150 ms; public "
        f"pages < 10 ms; API within 2x the bare baseline)")  # fmt: skip
    say(f"  saturation: {rate:.1f} req/s = {rate / 5:.1f}x today's ~5 req/s (goal >= 10x)")
    say(
        f"  think time during audits: {think['errors']} errors (goal 0), p95 "
        f"{fmt(think['p95_ms'])} ms (goal <= 500), p99 {fmt(think['p99_ms'])} ms (goal <= 1,000)"
    )


# ---- Main -----------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--students", type=int, default=100_000)
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_LOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_load"
        ),
    )
    parser.add_argument(
        "--redis-url", default=os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
    )
    parser.add_argument("--accounts", type=int, default=5, help="signed-in accounts per role")
    parser.add_argument("--repeat", type=int, default=5, help="(1) requests per endpoint")
    parser.add_argument("--concurrency", type=int, default=20, help="(2) users, no think time")
    parser.add_argument("--duration", type=float, default=60, help="(2) seconds")
    parser.add_argument("--users", type=int, default=200, help="(3) users, 5-10 s think time")
    parser.add_argument("--think-duration", type=float, default=120, help="(3) seconds")
    parser.add_argument(
        "--big-table", type=int, help="rows of a large table (default: the students')"
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--skip-plans", action="store_true")
    args = parser.parse_args()
    args.big_table = args.big_table or args.students

    sys.path.insert(0, str(ROOT))
    env = prepare_environment(args)
    ensure_database(args.database_url, args.students)
    import django

    django.setup()
    report = Report(args.students)
    say = report.say
    prepare_data(args.students, report)
    if static_outdated():
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
            cwd=ROOT, env=env, check=True,
        )  # fmt: skip
    subprocess.run(
        [sys.executable, "manage.py", "compile_translations"],
        cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    password = secrets.token_urlsafe(16)
    sessions = accounts(args.accounts, password)
    port, bare_port = int(env["BENCH_LOAD_PORT"]), free_port()
    report.figures["args"] = vars(args) | {"database_url": args.database_url}

    with served(env, port, bare_port, report):
        first_audit(report)

        async def run() -> None:
            started = time.perf_counter()
            await sign_in_all(sessions, port, password)
            say(f"signed in: {sum(s.role != ANONYMOUS for s in sessions)} accounts")
            pages, bare = await alone(by_role(sessions), port, bare_port, args.repeat)
            report.figures["alone"] = report_alone(report, pages, bare)
            say(f"    (sign-in and phase (1) took {time.perf_counter() - started:.0f} s)")

            stats, total, seconds = await crowd(
                sessions, port, args.concurrency, args.duration, (0.0, 0.0), args.seed
            )
            report.figures["saturation"] = report_crowd(
                report,
                f"(2) saturation: {args.concurrency} users without think time, "
                f"{args.duration:.0f} s",
                GOALS["saturation"],
                stats,
                total,
                seconds,
            )
            stats, total, seconds, audits = await think_phase(sessions, port, args)
            report.figures["think"] = report_crowd(
                report,
                f"(3) {args.users} users with 5-10 s think time, {args.think_duration:.0f} s, "
                f"while audits of the whole portal run",
                GOALS["think"],
                stats,
                total,
                seconds,
            )
            report.figures["think"]["audits_s"] = audits
            say(
                f"    audits during the phase: {len(audits)} "
                f"({', '.join(f'{a:.1f} s' for a in audits)})"
            )

        asyncio.run(run())
    summary(report)

    if not args.skip_plans:
        rows = plans(sessions, args.big_table)
        report.figures["plans"] = rows
        report_plans(report, rows, args.big_table)

    RESULTS.mkdir(parents=True, exist_ok=True)
    base = RESULTS / f"load-{args.students}"
    base.with_suffix(".json").write_text(json.dumps(report.figures, indent=2, default=str))
    base.with_suffix(".txt").write_text("\n".join(report.lines) + "\n")
    say(f"results: {base}.json, .txt")


if __name__ == "__main__":
    main()
