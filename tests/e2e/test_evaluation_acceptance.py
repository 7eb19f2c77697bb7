"""Issue 6's acceptance in a real browser, on the demo programs.

The program administrator defines the program's indicators (a wrong total of weights is
refused first) and opens an evaluation round with named and anonymous sources; the tutor,
the hospital's coordinator and the student answer it from their dashboards; the round's
results show the named sources' averages and, for the single anonymous answer about the
tutor, "not enough answers". The administrator completes a project: the reward ledger gains
its entries and the leaderboard moves, for the members and for the organisations. A portal
administrator scores the partners for a period (a background job), reads the ranking and
decides on a probation recommendation with a reason, which the organisation's status
history records. Finally each kind of report is made, its progress bar shown, and its PDF
(with its charts, and Chinese text for the student who reads the portal in Chinese), XLSX
and CSV downloaded and opened.

Pages are driven by their form actions and field ids, not by their translated labels (only
the English "Not enough answers" is read as text). Background jobs run in-process at commit
(`celery_eager`), so a job has finished by the time its page shows.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zlib
from decimal import ROUND_FLOOR, Decimal
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.demo import seed_demo_accounts
from accounts.models import User
from evaluation.ledger import services as ledger_services
from evaluation.ledger.demo import seed_ledger_demo
from evaluation.models import (
    AnonymousAnswer,
    Evaluation,
    EvaluationRequest,
    EvaluationRound,
    Indicator,
    PartnerScore,
    PartnerScoreRun,
    ProbationDecision,
    Report,
    RewardEntry,
    Source,
)
from evaluation.scores import formula
from evaluation.scores import services as score_services
from programs.demo import PROGRAM_CODE, seed_programs_demo
from programs.models import Organization, OrganizationStatusChange, Program, Project, Student
from programs.projects.services import request_completion
from training_portal.core import charts
from training_portal.core.models import Job

from .conftest import screenshot, sign_in, submit

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("celery_eager"),
]

HOSPITAL = "Eastbridge First Hospital"
PROJECT = "Low-dose CT protocol optimisation"  # active, medium, led by the hospital
ROUND_TITLE = "Spring evaluations (e2e)"
SOURCES = [Source.TUTOR, Source.COORDINATOR, Source.SELF, Source.STUDENT_ON_TUTOR]
ANONYMOUS_COMMENT = "Tom answers every message within a day."
PROBATION_REASON = "Lowest score of its kind this period; a recovery plan is expected."

STREAM = re.compile(rb"stream\r?\n(.*?)endstream", re.S)
BFCHAR = re.compile(rb"<([0-9A-Fa-f]{2,8})>\s*<([0-9A-Fa-f]{4,})>")
RG = re.compile(rb"(?<![\d.])([01]?\.?\d*) ([01]?\.?\d*) ([01]?\.?\d*) (?:rg|RG)\b")


# ---- Browser helpers -----------------------------------------------------------------------


def form_button(action_end: str) -> str:
    return f"form[action$='{action_end}'] button[type=submit]"


def row_cells(page: Any, scope: str, has_text: str) -> list[str]:
    """The cells of the one row of `scope`'s table that contains `has_text`."""
    row = page.locator(f"{scope} tbody tr", has_text=has_text)
    assert row.count() == 1, f"{row.count()} rows with {has_text!r} in {scope}"
    return [cell.strip() for cell in row.locator("td").all_inner_texts()]


def leaderboard_points(page: Any, base: str, program: Program, kind: str, name: str) -> Decimal:
    """The points of `name` on the program's leaderboard (0 when not on it)."""
    page.goto(f"{base}/ledger/leaderboard/?kind={kind}&program={program.pk}")
    rows = page.locator("table tbody tr", has_text=name)
    if rows.count() == 0:
        return Decimal(0)
    return Decimal(rows.first.locator("td").last.inner_text().strip())


def download(page: Any, selector: str) -> bytes:
    """Click a download link and return the file's bytes."""
    with page.expect_download() as info:
        page.locator(selector).click()
    path = info.value.path()
    assert path is not None
    return Path(path).read_bytes()


def answer(
    page: Any,
    base: str,
    email: str,
    request: EvaluationRequest,
    scores: dict[Indicator, int],
    comment: str,
) -> None:
    """The evaluator follows the dashboard's item to what they owe and answers."""
    sign_in(page, base, email)
    page.locator("section[aria-labelledby=attention-heading] a[href$='/evaluation/mine/']").click()
    page.wait_for_url(f"{base}/evaluation/mine/")
    page.locator(f"a[href$='/evaluation/owed/{request.pk}/']").click()
    page.wait_for_url(f"{base}/evaluation/owed/{request.pk}/")
    for indicator, value in scores.items():
        page.locator(f"input[name=score_{indicator.pk}][value='{value}']").check()
    page.locator("#id_comment").fill(comment)
    submit(page, "form:has(#id_comment) button[type=submit]")
    assert page.url == f"{base}/evaluation/mine/"
    # Answered: no longer owed.
    assert page.locator(f"a[href$='/evaluation/owed/{request.pk}/']").count() == 0


# ---- Reading the PDFs without a PDF library ------------------------------------------------


def pdf_parts(data: bytes) -> list[bytes]:
    """The PDF's bytes and each of its streams, inflated when compressed."""
    parts = [data]
    for match in STREAM.finditer(data):
        raw = match.group(1)
        try:
            parts.append(zlib.decompressobj().decompress(raw))
        except zlib.error:
            parts.append(raw)
    return parts


def embedded_font_names(parts: list[bytes]) -> set[str]:
    names = set()
    for part in parts:
        for name in re.findall(rb"/(?:BaseFont|FontName)\s*/([A-Za-z0-9+_-]+)", part):
            names.add(name.decode())
    return names


def mapped_characters(parts: list[bytes]) -> set[str]:
    """The characters the PDF's fonts map glyphs to (their ToUnicode maps): what it shows."""
    shown: set[str] = set()
    for part in parts:
        if b"begincmap" not in part:
            continue
        for _glyph, text in BFCHAR.findall(part):
            try:
                shown.update(bytes.fromhex(text.decode()).decode("utf-16-be"))
            except (ValueError, UnicodeDecodeError):
                continue
    return shown


def fill_colours(parts: list[bytes]) -> set[tuple[int, int, int]]:
    """The RGB colours (0-255) the PDF's pages paint with."""
    colours = set()
    for part in parts:
        for red, green, blue in RG.findall(part):
            try:
                values = [float(v) for v in (red, green, blue)]
            except ValueError:
                continue
            if all(0 <= v <= 1 for v in values):
                r, g, b = (round(v * 255) for v in values)
                colours.add((r, g, b))
    return colours


def hex_rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def has_chart_colour(colours: set[tuple[int, int, int]]) -> bool:
    """Some fill or stroke is one of the charts' palette colours (the table has none)."""
    palette = [hex_rgb(c) for c in charts.PALETTE]
    return any(
        all(abs(a - b) <= 1 for a, b in zip(colour, wanted, strict=True))
        for colour in colours
        for wanted in palette
    )


def is_cjk(character: str) -> bool:
    return "\u4e00" <= character <= "\u9fff"


# ---- The scenario --------------------------------------------------------------------------


def weakest_threshold(start: dt.date, end: dt.date) -> Decimal:
    """A probation threshold just above the weakest partner's score for the period (as the
    demo sets it), so that the run recommends at least one partner."""
    probe = PartnerScoreRun(period_start=start, period_end=end, weights={})
    weights = formula.clean_weights(None)
    lowest = min(
        formula.score_from_inputs(inputs, weights)
        for inputs in score_services.gather_inputs(probe).values()
    )
    return min(Decimal(100), lowest.to_integral_value(rounding=ROUND_FLOOR) + 1)


def check_report(page: Any, base: str, report: Report) -> set[str]:
    """On the report's page: the finished progress bar, then the PDF, XLSX and CSV. Returns
    the characters the PDF shows."""
    detail = f"{base}/reports/{report.pk}/"
    assert page.url == detail
    report.refresh_from_db()
    assert report.job.status == Job.Status.SUCCEEDED, report.job.error
    progress = page.locator("#report-progress progress.job-progress")
    progress.wait_for()
    assert progress.get_attribute("value") == "100"
    # Finished: the section has stopped polling its progress.
    assert page.locator("#report-progress").get_attribute("hx-get") is None
    assert page.locator("#report-progress code").inner_text() == report.content_hash
    # The fragment htmx polls says the same.
    fragment = page.request.get(f"{detail}progress/")
    assert fragment.status == 200
    assert 'value="100"' in fragment.text() and "<progress" in fragment.text()

    pdf = download(page, f"a[href$='/reports/{report.pk}/download/pdf/']")
    assert pdf.startswith(b"%PDF")
    parts = pdf_parts(pdf)
    fonts = embedded_font_names(parts)
    # Chinese reports are set in the CJK font, the others in a Latin font first.
    if report.language.startswith("zh"):
        assert any("CJK" in name.replace("-", "") for name in fonts), fonts
    else:
        assert any("DejaVu" in name for name in fonts), fonts
    # The server-side SVG charts are drawn in the charts' palette colours.
    assert has_chart_colour(fill_colours(parts)), sorted(fill_colours(parts))

    xlsx = download(page, f"a[href$='/reports/{report.pk}/download/xlsx/']")
    workbook = load_workbook(io.BytesIO(xlsx), read_only=True)
    assert len(workbook.sheetnames) > 1
    rows = [list(sheet.iter_rows(values_only=True)) for sheet in workbook.worksheets]
    assert rows[0][0][0]  # the cover's title
    assert any(len(sheet) > 1 for sheet in rows[1:]), "no section sheet has rows"

    csv = download(page, f"a[href$='/reports/{report.pk}/download/csv/']")
    assert csv.startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM, for spreadsheets
    return mapped_characters(parts)


def test_rounds_answers_ledger_partner_scores_and_reports(page: Any, live_server: Any) -> None:
    seed_demo_accounts()
    program = seed_programs_demo()
    assert program.code == PROGRAM_CODE
    seed_ledger_demo(program)
    base = live_server.url
    today = timezone.localdate()
    tutor = User.objects.get(email="tutor@demo.example")
    coordinator = User.objects.get(email="coordinator@demo.example")
    stan = Student.objects.select_related("user").get(user__email="student@demo.example")
    hospital = Organization.objects.get(name=HOSPITAL)

    # ---- The program administrator defines the indicators, then opens a round ----
    sign_in(page, base, "progadmin@demo.example")
    page.goto(f"{base}/evaluation/rounds/")
    page.locator(f"a[href$='/evaluation/programs/{program.pk}/indicators/']").click()
    page.wait_for_url(f"{base}/evaluation/programs/{program.pk}/indicators/")
    rows = [
        ("practice_ability", "Practice ability", "60"),
        ("supervision_quality", "Supervision quality", "30"),
    ]
    for index, (category, name, weight) in enumerate(rows):
        page.locator(f"#id_indicators-{index}-category").select_option(category)
        page.locator(f"#id_indicators-{index}-name").fill(name)
        page.locator(f"#id_indicators-{index}-weight").fill(weight)
        page.locator(f"#id_indicators-{index}-scale_min").fill("1")
        page.locator(f"#id_indicators-{index}-scale_max").fill("5")
    with page.expect_navigation():
        page.locator("form:has(#id_indicators-TOTAL_FORMS) button[type=submit]").click()
    # 60 + 30 is not 100: refused, nothing saved.
    assert page.locator(".alert-danger").first.is_visible()
    assert not Indicator.objects.filter(program=program).exists()
    page.locator("#id_indicators-1-weight").fill("40")
    submit(page, "form:has(#id_indicators-TOTAL_FORMS) button[type=submit]")
    indicators = list(Indicator.objects.filter(program=program).order_by("position"))
    assert [(i.name, i.weight) for i in indicators] == [
        ("Practice ability", Decimal("60.00")),
        ("Supervision quality", Decimal("40.00")),
    ]
    practice, supervision = indicators

    page.locator(f"a[href$='/evaluation/programs/{program.pk}/rounds/new/']").click()
    page.wait_for_url(f"{base}/evaluation/programs/{program.pk}/rounds/new/")
    page.locator("#id_title").fill(ROUND_TITLE)
    page.locator("#id_period_start").fill((today - dt.timedelta(days=180)).isoformat())
    page.locator("#id_period_end").fill(today.isoformat())
    page.locator("#id_deadline").fill((today + dt.timedelta(days=14)).isoformat())
    for source in SOURCES:
        box = page.locator(f"input[name=sources][value={source.value}]")
        assert box.count() == 1, f"no checkbox for the source {source.value!r}"
        box.check()
    submit(page, "form:has(#id_title) button[type=submit]")
    round_ = EvaluationRound.objects.get(title=ROUND_TITLE)
    assert page.url == f"{base}/evaluation/rounds/{round_.pk}/"
    assert round_.sources == [s.value for s in SOURCES]
    owed = EvaluationRequest.objects.filter(round=round_)
    assert set(owed.values_list("source", flat=True)) == {s.value for s in SOURCES}
    screenshot(page, "evaluation-round-open-en")

    about_stan = owed.filter(subject_kind="student", student=stan)
    # ---- The tutor, the coordinator and the student answer ----
    answer(
        page,
        base,
        tutor.email,
        about_stan.get(source=Source.TUTOR, evaluator=tutor),
        {practice: 4, supervision: 4},
        "Steady progress on the CT protocols.",
    )
    answer(
        page,
        base,
        coordinator.email,
        about_stan.get(source=Source.COORDINATOR, evaluator=coordinator),
        {practice: 3, supervision: 3},
        "Reliable on the ward; needs more autonomy.",
    )
    answer(
        page,
        base,
        stan.user.email,
        about_stan.get(source=Source.SELF, evaluator=stan.user),
        {practice: 5, supervision: 4},
        "I can run routine CT examinations alone.",
    )
    on_tom = owed.get(source=Source.STUDENT_ON_TUTOR, evaluator=stan.user, tutor__user=tutor)
    answer(page, base, stan.user.email, on_tom, {practice: 5, supervision: 5}, ANONYMOUS_COMMENT)
    # A student who reads the portal in Chinese assesses themselves too.
    su = Student.objects.select_related("user").get(user__email="student2@demo.example")
    assert su.user.preferred_language == "zh-hans"
    answer(
        page,
        base,
        su.user.email,
        owed.get(source=Source.SELF, evaluator=su.user, student=su),
        {practice: 3, supervision: 4},
        "刚开始做临床实践。",
    )
    assert Evaluation.objects.filter(round=round_).count() == 4
    anonymous = AnonymousAnswer.objects.get(round=round_)
    assert anonymous.tutor_id == on_tom.tutor_id

    # ---- The administrator closes the round and reads the results ----
    # (anonymous averages show only in a closed round: while answers come in, two looks
    # would give the latest answer away)
    sign_in(page, base, "progadmin@demo.example")
    page.goto(f"{base}/evaluation/rounds/{round_.pk}/")
    submit(page, f"form[action$='/evaluation/rounds/{round_.pk}/close/'] button")
    round_.refresh_from_db()
    assert round_.status == EvaluationRound.Status.CLOSED
    page.locator(f"a[href$='/evaluation/rounds/{round_.pk}/results/']").click()
    page.wait_for_url(f"{base}/evaluation/rounds/{round_.pk}/results/")
    named = "section[aria-labelledby=named-heading]"
    # Weighted totals: 60 x (s - 1) / 4 + 40 x (s - 1) / 4; the self-assessments are Stan's
    # (5, 4: 90) and Su's (3, 4: 60).
    for source, count, total, means in [
        (Source.TUTOR, "1", "75.00", ["4.00", "4.00"]),
        (Source.COORDINATOR, "1", "50.00", ["3.00", "3.00"]),
        (Source.SELF, "2", "75.00", ["4.00", "4.00"]),
    ]:
        cells = row_cells(page, named, str(source.label))
        assert cells[1:] == [count, total, *means], (source, cells)
    tom = "section[aria-labelledby=anonymous-heading]"
    cells = row_cells(page, tom, tutor.full_name)
    assert cells[1] == str(Source.STUDENT_ON_TUTOR.label)
    assert cells[2] == "Not enough answers (fewer than 5)"
    # Neither the answer's scores nor its comment is shown below five answers.
    assert ANONYMOUS_COMMENT not in page.content()
    screenshot(page, "evaluation-results-en")

    # ---- A project is completed: the ledger and the leaderboard move ----
    project = Project.objects.get(program=program, title=PROJECT)
    points = Decimal(ledger_services.points_by_size(program)[project.size])
    before_stan = leaderboard_points(page, base, program, "person", stan.user.full_name)
    before_hospital = leaderboard_points(page, base, program, "organisation", HOSPITAL)
    page.goto(f"{base}/ledger/")
    entries_before = RewardEntry.objects.count()
    assert page.get_by_text(PROJECT).count() == 0
    # A member (Stan) says it is done; the administrator confirms on the page: points come.
    request_completion(user=stan.user, project=project)
    assert RewardEntry.objects.count() == entries_before
    page.goto(f"{base}/projects/{project.pk}/")
    submit(page, f"form[action$='/projects/{project.pk}/completion/confirm/'] button")
    project.refresh_from_db()
    assert project.status == Project.Status.COMPLETED
    awards = RewardEntry.objects.filter(project=project)
    members = set(project.members.values_list("user_id", flat=True))
    assert set(awards.exclude(user=None).values_list("user_id", flat=True)) == members
    assert hospital.pk in set(
        awards.exclude(organization=None).values_list("organization_id", flat=True)
    )
    assert set(awards.values_list("points", flat=True)) == {points}
    assert RewardEntry.objects.count() == entries_before + awards.count()
    page.goto(f"{base}/ledger/")
    assert page.locator("table tbody tr", has_text=PROJECT).count() == awards.count()
    assert (
        leaderboard_points(page, base, program, "person", stan.user.full_name)
        == before_stan + points
    )
    assert (
        leaderboard_points(page, base, program, "organisation", HOSPITAL)
        == before_hospital + points
    )
    screenshot(page, "evaluation-leaderboard-en")

    # ---- A portal administrator scores the partners and decides on a recommendation ----
    start, end = today - dt.timedelta(days=364), today
    threshold = weakest_threshold(start, end)
    sign_in(page, base, "admin@demo.example")
    page.goto(f"{base}/partner-performance/")
    page.locator("#id_label").fill("E2E period")
    page.locator("#id_period_start").fill(start.isoformat())
    page.locator("#id_period_end").fill(end.isoformat())
    page.locator("#id_threshold").fill(str(threshold))
    submit(page, form_button("/partner-performance/runs/new/"))
    run = PartnerScoreRun.objects.get(label="E2E period")
    assert page.url == f"{base}/partner-performance/runs/{run.pk}/"
    run.refresh_from_db()
    assert run.finished_at is not None and run.job.status == Job.Status.SUCCEEDED
    scores = list(PartnerScore.objects.filter(run=run).order_by("kind", "rank"))
    assert scores
    for score in scores:  # every partner is ranked on the page
        assert page.locator(f"a[href$='/partner-performance/scores/{score.pk}/']").count() == 1
    recommended = [s for s in scores if s.recommendation]
    assert recommended, "the threshold above the weakest score recommends someone"
    weakest = min(recommended, key=lambda s: (s.score, s.pk))
    organization = weakest.organization
    assert organization.status == Organization.Status.ACTIVE
    screenshot(page, "partner-ranking-en")

    page.locator(f"a[href$='/partner-performance/scores/{weakest.pk}/']").click()
    page.wait_for_url(f"{base}/partner-performance/scores/{weakest.pk}/")
    page.locator("#id_decision").select_option(ProbationDecision.Decision.PROBATION)
    page.locator("#id_reason").fill(PROBATION_REASON)
    submit(page, form_button(f"/partner-performance/scores/{weakest.pk}/decide/"))
    decision = ProbationDecision.objects.get(score=weakest)
    assert (decision.decision, decision.reason) == ("probation", PROBATION_REASON)
    organization.refresh_from_db()
    assert organization.status == Organization.Status.PROBATION
    change = OrganizationStatusChange.objects.get(organization=organization)
    assert (change.from_status, change.to_status, change.reason) == (
        "active",
        "probation",
        PROBATION_REASON,
    )
    assert change.changed_by == User.objects.get(email="admin@demo.example")
    # The organisation's history page says it, with the reason.
    page.goto(base + reverse("core:history", args=["programs", "organization", organization.pk]))
    assert page.get_by_text(PROBATION_REASON).first.is_visible()

    # ---- Reports: each kind, its progress bar, its PDF, XLSX and CSV ----
    page.goto(f"{base}/reports/")
    page.locator("a[href$='/reports/new/program_annual/']").click()
    page.locator("#id_program").select_option(str(program.pk))
    page.locator("#id_year").fill(str(today.year))
    with page.expect_navigation():
        page.locator("form:has(#id_year) button[type=submit]").click()
    annual = Report.objects.get(kind=Report.Kind.PROGRAM_ANNUAL)
    check_report(page, base, annual)
    assert annual.language == "en"
    screenshot(page, "report-annual-en")

    page.goto(f"{base}/reports/")
    page.locator("a[href$='/reports/new/partner_scorecard/']").click()
    page.locator("#id_organization").select_option(str(hospital.pk))
    with page.expect_navigation():
        page.locator("form:has(#id_organization) button[type=submit]").click()
    scorecard = Report.objects.get(kind=Report.Kind.PARTNER_SCORECARD)
    assert scorecard.organization == hospital
    check_report(page, base, scorecard)

    # The student who reads the portal in Chinese (her self-assessment is in the round)
    # asks for their training record: its evaluations chart has a bar, its labels are in
    # Chinese.
    sign_in(page, base, su.user.email)
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    page.goto(f"{base}/reports/")
    page.locator("a[href$='/reports/new/student_record/']").click()
    page.locator("#id_student").fill(su.student_number)
    with page.expect_navigation():
        page.locator("form:has(#id_student) button[type=submit]").click()
    record = Report.objects.get(kind=Report.Kind.STUDENT_RECORD)
    assert (record.student, record.language) == (su, "zh-hans")
    shown = check_report(page, base, record)
    # Chinese renders: the PDF's glyphs map to Chinese characters.
    assert any(is_cjk(character) for character in shown), sorted(shown)[:40]
    screenshot(page, "report-student-record-zh")

    assert page.csp_errors == []
