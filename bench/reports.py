"""Benchmark: a program's annual report on `seed_scale` data (one program of 2,000 students
by default), measured in one run against the time to just fetch its data.

    make bench-reports                             (2,000 students in the database bench_reports)
    make bench-reports BENCH_REPORT_STUDENTS=500   (a quick run)
    .venv/bin/python bench/reports.py --students 2000 --repeat 3

It prints (best of `--repeat` runs each): (1) just fetching the data of the annual report
of the largest program: the records it is made of (students, the year's milestones,
contacts, case logs, findings, scores and answers, partner scores, projects, reward points),
read as tuples in one snapshot; the report's own reads, which aggregate in SQL, are shown
beside it; (2) the whole report as the job makes it (its reads + PDF + XLSX + CSV), the PDF
alone, and the ratios of the whole to each read. Goal: the whole report within 3x the fetch,
the PDF a few seconds.

`seed_scale` makes no evaluations, findings, partner scores or reward points; the script adds
them (indicators and one round with a named evaluation per student and anonymous answers,
findings for one student in ten, a partner score run, points for completed projects) so
that every section of the report has data. Seeding is skipped when the database already
holds the scale data of N students. Results go to bench/results/reports-<N>.txt.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "training_portal.settings")
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("TESTING", "true")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_reports")
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix="bench-reports-"))

RESULTS = ROOT / "bench" / "results"


def ensure_database() -> None:
    """Create the benchmark database if it does not exist (PostgreSQL only)."""
    import psycopg
    from django.conf import settings

    db = settings.DATABASES["default"]
    options = {
        "user": db["USER"],
        "password": db.get("PASSWORD") or None,
        "host": db.get("HOST") or "127.0.0.1",
        "port": db.get("PORT") or 5432,
    }
    try:
        psycopg.connect(dbname=db["NAME"], **options).close()
    except psycopg.OperationalError:
        with psycopg.connect(dbname="postgres", autocommit=True, **options) as admin:
            admin.execute(f'CREATE DATABASE "{db["NAME"]}"')


import django  # noqa: E402

django.setup()
ensure_database()

from django.conf import settings  # noqa: E402
from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.utils import timezone, translation  # noqa: E402

from accounts.models import User  # noqa: E402
from evaluation import models as e  # noqa: E402
from evaluation.reports import builders, render, services  # noqa: E402
from programs import models as m  # noqa: E402
from programs.scale import CODE_PREFIX, seed_scale  # noqa: E402
from supervision.models import Finding  # noqa: E402
from training_portal.core.models import Job  # noqa: E402

settings.DEBUG = False  # no query log: measure what production runs
logging.getLogger("weasyprint").setLevel(logging.WARNING)  # not a line per layout step
logging.getLogger("fontTools").setLevel(logging.WARNING)
BENCH_TAG = "[bench-reports]"


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def best(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    runs = [timed(fn) for _ in range(repeat)]
    return min(seconds for seconds, _ in runs), runs[-1][1]


def say(lines: list[str], text: str = "") -> None:
    print(text, flush=True)
    lines.append(text)


def prepare(students: int, lines: list[str]) -> None:
    call_command("migrate", verbosity=0, interactive=False)
    have = m.Student.objects.filter(student_number__startswith=CODE_PREFIX).count()
    if have != students:
        say(lines, f"seeding {students:,} students (seed_scale) ...")
        seconds, _ = timed(lambda: seed_scale(students))
        say(lines, f"  seeded in {seconds:.0f} s")


@transaction.atomic
def add_evaluation_data(program: m.Program, year: int, seed: int) -> None:
    """Indicators, a round with evaluations and anonymous answers, findings, a partner
    score run and reward points for `program` (replacing those of an earlier run)."""
    rng = random.Random(seed)
    if e.EvaluationRound.objects.filter(program=program, title=BENCH_TAG).exists():
        return
    owner = User.objects.filter(email__startswith="scale-").order_by("pk").first()
    indicators = e.Indicator.objects.bulk_create(
        e.Indicator(
            program=program,
            category=category,
            name=f"{label} ({BENCH_TAG})",
            weight=Decimal(20),
            position=index,
        )
        for index, (category, label) in enumerate(
            [
                ("objective_attainment", "Objective attainment"),
                ("course_results", "Course results"),
                ("practice_ability", "Practice ability"),
                ("research_output", "Research output"),
                ("supervision_quality", "Supervision quality"),
            ]
        )
    )
    round_ = e.EvaluationRound.objects.create(
        program=program,
        title=BENCH_TAG,
        period_start=dt.date(year, 1, 1),
        period_end=dt.date(year, 6, 30),
        deadline=dt.date(year, 7, 15),
        sources=["tutor", "student_on_tutor"],
        opened_by=owner,
    )
    assignments = list(
        m.TutorAssignment.objects.filter(student__program=program, role="academic")
        .select_related("tutor")
        .values_list("student_id", "tutor_id", "tutor__user_id")
    )
    requests = e.EvaluationRequest.objects.bulk_create(
        e.EvaluationRequest(
            round=round_,
            source="tutor",
            evaluator_id=tutor_user,
            subject_kind="student",
            student_id=student,
            status="submitted",
        )
        for student, _tutor, tutor_user in assignments
    )
    evaluations = e.Evaluation.objects.bulk_create(
        e.Evaluation(
            request=request,
            round=round_,
            source="tutor",
            evaluator_id=request.evaluator_id,
            subject_kind="student",
            student_id=request.student_id,
            total=Decimal(rng.randint(40, 100)),
        )
        for request in requests
    )
    e.Score.objects.bulk_create(
        e.Score(evaluation=evaluation, indicator=indicator, value=rng.randint(1, 5))
        for evaluation in evaluations
        for indicator in indicators
    )
    e.AnonymousAnswer.objects.bulk_create(
        e.AnonymousAnswer(
            round=round_,
            source="student_on_tutor",
            subject_kind="tutor",
            tutor_id=tutor,
            scores={str(indicator.pk): rng.randint(1, 5) for indicator in indicators},
            total=Decimal(rng.randint(40, 100)),
        )
        for _student, tutor, _user in assignments
    )
    student_type = ContentType.objects.get_for_model(m.Student)
    students = list(m.Student.objects.filter(program=program).values_list("pk", flat=True))
    Finding.objects.bulk_create(
        Finding(
            rule="bench_reports",
            severity=rng.choice(["info", "minor", "major", "critical"]),
            status=rng.choice(["open", "resolved"]),
            fingerprint=f"bench-reports-{student}",
            program=program,
            student_id=student,
            subject_type=student_type,
            subject_id=student,
            first_seen_at=timezone.make_aware(dt.datetime(year, rng.randint(1, 10), 1)),
        )
        for student in students[::10]
    )
    partners = list(m.ProgramPartner.objects.filter(program=program).select_related("organization"))
    run = e.PartnerScoreRun.objects.create(
        label=f"{year}-H1 {BENCH_TAG}",
        period_start=dt.date(year, 1, 1),
        period_end=dt.date(year, 6, 30),
        weights={"evaluations": 40, "responsibilities": 20, "findings": 20, "points": 20},
        threshold=Decimal(50),
        bottom_share=Decimal(20),
        job=Job.objects.create(
            kind="evaluation.report",
            owner=owner,
            status="succeeded",
            started_at=timezone.now(),
            finished_at=timezone.now(),
        ),
        started_by=owner,
        finished_at=timezone.now(),
    )
    scored = sorted(
        ((partner.organization, Decimal(rng.randint(3000, 9900)) / 100) for partner in partners),
        key=lambda pair: -pair[1],
    )
    e.PartnerScore.objects.bulk_create(
        e.PartnerScore(
            run=run,
            organization=organization,
            kind=organization.kind,
            inputs={},
            components={
                key: str(Decimal(rng.randint(0, 100)))
                for key in ("evaluations", "responsibilities", "findings", "points")
            },
            score=score,
            rank=rank,
        )
        for rank, (organization, score) in enumerate(scored, start=1)
    )
    projects = list(m.Project.objects.filter(program=program).prefetch_related("members"))
    points = {"small": 1, "medium": 3, "big": 5}
    entries = []
    for project in projects:
        earned = dt.date(year, rng.randint(1, 11), rng.randint(1, 28))
        entries.append(
            e.RewardEntry(
                program=program,
                project=project,
                organization_id=project.lead_organization_id,
                points=Decimal(points[project.size]),
                earned_on=earned,
            )
        )
        entries.extend(
            e.RewardEntry(
                program=program,
                project=project,
                user_id=member.user_id,
                points=Decimal(points[project.size]),
                earned_on=earned,
            )
            for member in project.members.all()
        )
    e.RewardEntry.objects.bulk_create(entries)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--students", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--year", type=int, default=timezone.localdate().year)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    lines: list[str] = []
    prepare(args.students, lines)
    program = (
        m.Program.objects.filter(code__startswith=CODE_PREFIX)
        .annotate(n=Count("students"))
        .order_by("-n", "pk")
        .first()
    )
    assert program is not None, "no scale data"
    add_evaluation_data(program, args.year, args.seed)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    students = m.Student.objects.filter(program=program).count()
    counts = {
        "milestones": m.Milestone.objects.filter(student__program=program).count(),
        "progress logs": m.ProgressLog.objects.filter(student__program=program).count(),
        "case logs": m.CaseLog.objects.filter(student__program=program).count(),
        "scores": e.Score.objects.filter(evaluation__round__program=program).count(),
        "anonymous answers": e.AnonymousAnswer.objects.filter(round__program=program).count(),
        "findings": Finding.objects.filter(program=program).count(),
        "reward entries": e.RewardEntry.objects.filter(program=program).count(),
    }
    say(lines, f"program {program.code}: {students:,} students, year {args.year}")
    say(lines, "  " + ", ".join(f"{n:,} {name}" for name, n in counts.items()))
    requester = User.objects.filter(email__startswith="scale-").order_by("pk").first()
    assert requester is not None
    translation.activate("en")

    def fetch() -> list[list[Any]]:
        with services.input_snapshot():
            return fetch_records(program, args.year)

    def aggregate() -> builders.ReportData:
        with services.input_snapshot():
            return builders.program_annual(program, args.year)

    def whole() -> Any:
        report = e.Report(kind="program_annual", program=program, year=args.year, language="en")
        report.pk = 0  # a name for the files; the row itself is not needed to make them
        return services.generate_report(_unsaved(report))

    fetch_s, records = best(fetch, args.repeat)
    aggregate_s, data = best(aggregate, args.repeat)
    html = render.report_html(data, inputs_as_of=timezone.now(), content_hash=data.content_hash())
    html_s, _ = best(
        lambda: render.report_html(
            data, inputs_as_of=timezone.now(), content_hash=data.content_hash()
        ),
        args.repeat,
    )
    pdf_s, pdf = best(lambda: render.render_pdf(html), args.repeat)
    xlsx_s, xlsx = best(lambda: render.render_xlsx(data), args.repeat)
    csv_s, csv = best(lambda: render.render_csv(data), args.repeat)
    whole_s, _ = best(whole, args.repeat)
    rows = sum(len(chunk) for chunk in records)
    say(lines, f"(1) fetch its data ({rows:,} rows, no aggregation) {fetch_s:8.3f} s")
    say(lines, f"    the report's own reads (SQL aggregates)     {aggregate_s:8.3f} s")
    say(lines, f"(2) whole report (data + PDF + XLSX + CSV)      {whole_s:8.3f} s")
    say(lines, f"    PDF alone (WeasyPrint, {len(pdf):,} bytes)       {pdf_s:8.3f} s")
    say(lines, f"    HTML with the SVG charts                    {html_s:8.3f} s")
    say(lines, f"    XLSX alone ({len(xlsx):,} bytes)                 {xlsx_s:8.3f} s")
    say(lines, f"    CSV alone ({len(csv):,} bytes)                    {csv_s:8.3f} s")
    say(lines, f"ratio whole / fetch                             {whole_s / fetch_s:8.2f} x")
    say(lines, f"goal: whole <= 3x fetch: {'met' if whole_s <= 3 * fetch_s else 'NOT met'}")
    say(lines, f"ratio whole / the report's own reads            {whole_s / aggregate_s:8.2f} x")
    say(lines, f"goal: PDF <= 3 s: {'met' if pdf_s <= 3 else 'NOT met'}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"reports-{args.students}.txt").write_text("\n".join(lines) + "\n")


def fetch_records(program: m.Program, year: int) -> list[list[Any]]:
    """The records the annual report of `program` for `year` is made of, read as they are
    (tuples, no model instances, no aggregation): the baseline of "just fetching its data".
    The same filters as the builders: the program's students and projects, the milestones
    due and the contacts and case logs of the year, the findings that existed during it, the
    scores and anonymous answers of its rounds, the partners' latest scores and the year's
    reward points."""
    start, end = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    in_program = {"student__program": program}
    rounds = e.EvaluationRound.objects.filter(
        program=program, period_end__gte=start, period_end__lt=end
    ).values("pk")
    partners = m.ProgramPartner.objects.filter(program=program).values("organization_id")
    latest_run = (
        e.PartnerScoreRun.objects.filter(finished_at__isnull=False, period_start__lt=end)
        .order_by("-period_end", "-pk")
        .values("pk")[:1]
    )
    return [
        list(m.Student.objects.filter(program=program).values_list("pk", "status")),
        list(
            m.Milestone.objects.filter(
                **in_program, due_date__gte=start, due_date__lt=end
            ).values_list("pk", "due_date", "completed_on")
        ),
        list(
            m.ProgressLog.objects.filter(**in_program, date__gte=start, date__lt=end).values_list(
                "pk", "date"
            )
        ),
        list(
            m.CaseLog.objects.filter(**in_program, date__gte=start, date__lt=end).values_list(
                "pk", "modality", "count"
            )
        ),
        list(
            Finding.objects.filter(program=program, first_seen_at__date__lt=end)
            .exclude(gone_at__date__lt=start)
            .values_list("pk", "severity", "status")
        ),
        list(
            e.Score.objects.filter(evaluation__round__in=rounds).values_list(
                "indicator_id", "value"
            )
        ),
        list(e.AnonymousAnswer.objects.filter(round__in=rounds).values_list("scores", flat=True)),
        list(
            e.PartnerScore.objects.filter(
                run__in=latest_run, organization__in=partners
            ).values_list("organization__name", "kind", "score", "rank", "recommendation")
        ),
        list(m.Project.objects.filter(program=program).values_list("status", "size")),
        list(
            e.RewardEntry.objects.filter(
                program=program, earned_on__gte=start, earned_on__lt=end
            ).values_list("organization__name", "user_id", "points")
        ),
    ]


def _unsaved(report: e.Report) -> e.Report:
    """Make `report.save()` store nothing: the benchmark measures making the files."""
    report.save = lambda *args, **kwargs: None  # type: ignore[method-assign]
    return report


if __name__ == "__main__":
    main()
