"""The reports' data: what each builder reads, its query count, and the content hash."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.utils import translation

from evaluation.models import AnonymousAnswer, EvaluationRound
from evaluation.reports import builders
from tests.queries import count_queries

from .conftest import YEAR, World, add_student, answer_anonymously, evaluate


def rows_of(data: builders.ReportData, key: str) -> list[list[object]]:
    return data.section(key).rows


def test_annual_report_reads_every_section(world: World) -> None:
    program = world.cast.program
    data = builders.program_annual(program, YEAR)
    assert dict(rows_of(data, "students_by_status")) == {"active": 3}
    on_time = {row[0]: row for row in rows_of(data, "milestone_on_time")}
    assert on_time[3][1:] == [1, 1, Decimal("100.00")]  # March: due 1, on time 1
    assert on_time[6][1:] == [1, 0, Decimal("0.00")]  # June: completed late
    assert on_time[1][1:] == [0, 0, None]
    contacts = dict(rows_of(data, "supervision_contacts"))
    assert contacts[3] == 1 and sum(contacts.values()) == 1
    assert rows_of(data, "case_totals") == [["ct", 1, 3]]
    assert rows_of(data, "findings_by_severity") == [["major", 1, 1]]
    averages = rows_of(data, "evaluation_averages")
    assert averages[0][0] == "Practice ability"
    assert averages[0][2:4] == [Decimal("4.00"), 1]
    ranking = rows_of(data, "partner_ranking")
    assert ranking[0][1] == world.cast.hospital.name and ranking[0][3] == Decimal("70.00")
    projects = {(status, size): n for status, size, n in rows_of(data, "projects")}
    assert projects == {("completed", "small"): 1, ("active", "big"): 1}
    points = rows_of(data, "reward_points")
    assert ["organisation", world.cast.hospital.name, Decimal("1.00")] in points
    assert ["members", "1", Decimal("1.00")] in points


def test_another_year_has_no_activity(world: World) -> None:
    data = builders.program_annual(world.cast.program, YEAR - 3)
    assert rows_of(data, "case_totals") == []
    assert sum(n for _, n in rows_of(data, "supervision_contacts")) == 0
    assert rows_of(data, "partner_ranking") == []


def test_anonymous_answers_only_as_aggregates_of_enough(world: World) -> None:
    world.round.status = EvaluationRound.Status.CLOSED
    world.round.save(update_fields=["status"])
    minimum = settings.EVALUATION_MIN_ANONYMOUS
    for _ in range(minimum - 1):
        answer_anonymously(world, 5)
    row = rows_of(builders.program_annual(world.cast.program, YEAR), "evaluation_averages")[0]
    assert row[4] is None and row[5] is None  # too few: neither average nor count
    answer_anonymously(world, 1)
    row = rows_of(builders.program_annual(world.cast.program, YEAR), "evaluation_averages")[0]
    expected = (Decimal(5 * (minimum - 1) + 1) / minimum).quantize(Decimal("0.01"))
    assert row[4] == expected and row[5] == minimum


def test_anonymous_answers_count_per_round(world: World) -> None:
    """Enough answers in the year, but in two rounds with too few each: the year's average
    before and after the second round closed would be that round's few answers."""
    minimum = settings.EVALUATION_MIN_ANONYMOUS
    world.round.status = EvaluationRound.Status.CLOSED
    world.round.save(update_fields=["status"])
    for _ in range(minimum - 1):
        answer_anonymously(world, 5)
    autumn = EvaluationRound.objects.create(
        program=world.cast.program,
        title="Autumn",
        period_start=world.round.period_end,
        period_end=world.round.period_end.replace(month=12, day=31),
        deadline=world.round.period_end.replace(month=12, day=31),
        status=EvaluationRound.Status.CLOSED,
    )
    AnonymousAnswer.objects.create(
        round=autumn,
        source="student_on_tutor",
        subject_kind="tutor",
        tutor=world.cast.tutor,
        scores={str(world.indicator.pk): 1},
        total=Decimal(20),
    )
    row = rows_of(builders.program_annual(world.cast.program, YEAR), "evaluation_averages")[0]
    assert row[4] is None and row[5] is None


def test_anonymous_answers_of_an_open_round_are_left_out(world: World) -> None:
    """While answers come in, a report made after each would give the latest away."""
    assert world.round.status == EvaluationRound.Status.OPEN
    for _ in range(settings.EVALUATION_MIN_ANONYMOUS + 1):
        answer_anonymously(world, 5)
    row = rows_of(builders.program_annual(world.cast.program, YEAR), "evaluation_averages")[0]
    assert row[4] is None and row[5] is None


def test_scorecard(world: World) -> None:
    data = builders.partner_scorecard(world.cast.hospital)
    scores = rows_of(data, "scores")
    assert scores[0][0] == f"{YEAR}-H1" and scores[0][2] == Decimal("70.00")
    assert scores[0][5:] == [Decimal("80.00"), Decimal("60.00")]  # evaluations, findings
    assert rows_of(data, "latest_components") == [
        ["evaluations", Decimal("80.00")],
        ["findings", Decimal("60.00")],
    ]
    hosted = {status: n for _code, status, n in rows_of(data, "placements")}
    assert sum(hosted.values()) == 2  # the cast's placement and the added student's
    assert rows_of(data, "responsibilities") == [
        [world.cast.program.code, "clinical_practice", True]
    ]
    assert rows_of(data, "findings_by_severity") == [["major", 1, 1]]
    assert rows_of(data, "points") == [[YEAR, Decimal("1.00")]]


def test_student_record(world: World) -> None:
    student = add_student(world.cast, title="My own study")
    evaluate(world, student, 3)
    data = builders.student_record(student)
    assert rows_of(data, "plan")[0][0] == 1
    assert [row[0] for row in rows_of(data, "milestones")] == ["Proposal", "Mid-term"]
    assert rows_of(data, "placements")[0][0] == world.cast.hospital.name
    assert rows_of(data, "case_totals") == [["ct", 1, 3]]
    assert [row[0] for row in rows_of(data, "projects")] == ["My own study"]
    evaluations = rows_of(data, "evaluations")
    assert len(evaluations) == 1 and evaluations[0][2:4] == ["tutor", Decimal("60.00")]


def test_builders_query_counts_do_not_grow_with_students(world: World) -> None:
    cast = world.cast
    student = cast.student

    def counts() -> tuple[int, int, int, int]:
        return (
            count_queries(lambda: builders.program_annual(cast.program, YEAR))[0],
            count_queries(lambda: builders.partner_scorecard(cast.hospital))[0],
            count_queries(lambda: builders.student_record(student))[0],
            count_queries(lambda: builders.program_dashboard(cast.program, YEAR))[0],
        )

    before = counts()
    for index in range(4):
        grown = add_student(cast, title=f"Study {index}")
        evaluate(world, grown, 2)
        answer_anonymously(world, 3)
    evaluate(world, student, 5)
    after = counts()
    assert before == after
    assert after[0] <= 12 and after[1] <= 8 and after[2] <= 9 and after[3] <= 8


def test_content_hash_is_stable_and_follows_the_inputs(world: World) -> None:
    program = world.cast.program
    first = builders.program_annual(program, YEAR).content_hash()
    assert builders.program_annual(program, YEAR).content_hash() == first
    with translation.override("zh-hans"):
        assert builders.program_annual(program, YEAR).content_hash() == first
    assert len(first) == 64
    add_student(world.cast)
    assert builders.program_annual(program, YEAR).content_hash() != first
    assert builders.program_annual(program, YEAR - 1).content_hash() != first


def test_chinese_headings(world: World) -> None:
    with translation.override("zh-hans"):
        data = builders.student_record(world.cast.student)
        titles = [section.title for section in data.sections]
    assert "培养计划" in titles and "培养节点" in titles and "项目" in titles
    with translation.override("en"):
        assert "Training plan" in [
            s.title for s in builders.student_record(world.cast.student).sections
        ]
