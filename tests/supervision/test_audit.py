"""The audit engine end to end: the demo's planted problems are found, runs are repeatable,
findings live (resolved when fixed, reopened when back, dismissed ones stay dismissed),
re-delivered chunks and re-queued runs change nothing, a program's run touches only that
program, and the queries of a chunk do not grow with the number of students."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from typing import Any
from unittest import mock

import pytest
from django.db import connection
from django.db.models import Count
from django.utils import timezone, translation

from programs import models as m
from programs.demo import seed_programs_demo
from supervision import rules as rules_registry
from supervision.audits import engine
from supervision.audits.services import change_rule_setting
from supervision.findings.services import dismiss_finding, message_of, resolve_finding
from supervision.models import AuditChunk, AuditRun, Finding, RuleSetting
from supervision.models.audit import SEVERITY_RANK
from supervision.rules import all_rules
from supervision.rules.catalogue import RULES
from tests.cast import Cast
from tests.programs.factories import (
    AssignmentFactory,
    BudgetLineFactory,
    ExpenditureFactory,
    PlacementFactory,
    PlanFactory,
    ProgramFactory,
    StudentFactory,
    TutorFactory,
)
from tests.queries import count_queries
from tests.supervision.audits import TODAY, ago, audit, found, only
from training_portal.core.jobs import recover_stuck_jobs
from training_portal.core.models import Job

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("celery_eager")]

Status = Finding.Status
Snapshot = dict[str, tuple[Any, ...]]


def snapshot() -> Snapshot:
    """Every finding by fingerprint: what a run decides about it (not when it ran)."""
    return {
        f.fingerprint: (
            f.pk,
            f.rule,
            f.status,
            f.severity,
            f.program_id,
            f.subject_id,
            f.student_id,
            f.tutor_id,
            f.organization_id,
            f.details,
            f.evidence,
            f.reopened_count,
            f.gone_at is None,
        )
        for f in Finding.objects.all()
    }


def problems(cast: Cast) -> None:
    """A few problems of several rules in the cast's program, as of TODAY (idempotent)."""
    m.Milestone.objects.get_or_create(
        student=cast.student,
        title="Mid-term review",
        defaults={"kind": "mid_term_review", "due_date": ago(10)},
    )
    if not cast.other_student.plans.exists():
        PlanFactory(student=cast.other_student, status="submitted")
    m.Placement.objects.filter(pk=cast.placement.pk).update(status="active", practice_tutor=None)


# ---- The demo ------------------------------------------------------------------------------


def by_email(rule: str) -> dict[str, Finding]:
    return {f.student.user.email: f for f in Finding.objects.filter(rule=rule).select_related(
        "student__user"
    )}  # fmt: skip


def test_an_audit_of_the_demo_finds_the_planted_problems() -> None:
    program = seed_programs_demo()
    today = timezone.localdate()

    run = audit(program, as_of=today)

    counts = {rule: c["found"] for rule, c in run.counts.items()}
    assert set(counts) == {rule.code for rule in all_rules()}
    overdue = by_email("milestone_overdue")
    assert {email: f.details["title"] for email, f in overdue.items()} == {
        "zhao.lei@demo.example": "Mid-term review",
        "he.ning@demo.example": "Mid-term review",
        "tang.min@demo.example": "Thesis proposal defence",
    }
    assert all(f.evidence["days_overdue"] >= 14 for f in overdue.values())
    # No contact for two months: the three students with a gap, and only them.
    gaps = by_email("supervision_gap")
    assert set(gaps) == {
        "he.ning@demo.example",
        "gao.qing@demo.example",
        "deng.chen@demo.example",
    }
    assert all(f.evidence["days_without_log"] >= 60 for f in gaps.values())
    assert set(by_email("supervision_frequency")) == set(gaps)
    assert {"wang.jun@demo.example", "zhao.lei@demo.example", "lin.tao@demo.example"} <= set(
        by_email("plan_not_approved")
    )

    expenditures = m.Expenditure.objects.filter(line__program=program)
    self_approved = expenditures.get(description="Practice tutor fees, autumn term")
    assert only("fund_self_approval").subject_id == self_approved.pk
    twice = expenditures.filter(description__contains="LIS-2291").order_by("pk")
    duplicate = only("fund_duplicate")
    assert duplicate.subject_id == twice[0].pk
    assert (duplicate.evidence["amount"], duplicate.evidence["occurrences"]) == ("12400.00", 2)
    early = expenditures.get(description__startswith="Open-access fee")
    assert only("fund_out_of_period").subject_id == early.pk
    overspent = only("fund_overspend")
    assert overspent.subject_id == program.budget_lines.get(title__startswith="Clinical").pk
    assert overspent.evidence == {
        "line_amount": "80000.00",
        "approved_total": "86300.00",
        "overspend": "6300.00",
    }
    with translation.override("en"):
        unfulfilled = {message_of(f) for f in found("responsibility_unfulfilled")}
    assert unfulfilled == {
        "Harbour Cancer Hospital shows no activity for its responsibility “Clinical practice”.",
        "Nova Medical Devices Co. shows no activity for its responsibility “Practical training”.",
    }

    for rule in ("placement_without_tutor", "tutor_over_capacity", "agreement_expired"):
        assert counts[rule] == 0, rule
    assert counts["milestone_overdue"] == 3
    assert Finding.objects.count() == sum(counts.values())
    assert run.job.message == f"Audit complete: {sum(counts.values())} findings."
    assert (run.job.progress_done, run.job.progress_total) == (len(all_rules()), len(all_rules()))


def test_a_clean_program_next_to_the_demo_gets_no_finding(clean: Cast) -> None:
    seed_programs_demo()

    run = audit()  # the whole portal, as of TODAY for both

    assert run.chunks.filter(program=clean.program).count() == len(all_rules())
    assert Finding.objects.exists()
    assert not Finding.objects.filter(program=clean.program).exists()


# ---- Repeatable, and findings with a life --------------------------------------------------


def test_running_twice_gives_the_same_findings_and_nothing_new(cast: Cast) -> None:
    problems(cast)
    first = audit(cast.program)
    before = snapshot()

    second = audit(cast.program)

    assert snapshot() == before
    assert len(before) == Finding.objects.count() == sum(c["found"] for c in first.counts.values())
    assert all(c["new"] == 0 and c["gone"] == 0 for c in second.counts.values())
    assert {rule: c["found"] for rule, c in second.counts.items()} == {
        rule: c["found"] for rule, c in first.counts.items()
    }
    assert set(Finding.objects.values_list("last_seen_run", flat=True)) == {second.pk}
    assert set(Finding.objects.values_list("first_seen_run", flat=True)) == {first.pk}


def test_fixing_the_cause_resolves_the_finding_and_its_return_reopens_it(
    cast: Cast,
) -> None:
    problems(cast)
    audit(cast.program)
    finding = only("placement_without_tutor")
    others = {k: v for k, v in snapshot().items() if k != finding.fingerprint}

    m.Placement.objects.filter(pk=cast.placement.pk).update(practice_tutor=cast.practice_tutor)
    fixed = audit(cast.program)

    finding.refresh_from_db()
    assert finding.status == Status.RESOLVED
    assert finding.gone_at is not None and finding.resolved_at is not None
    assert fixed.counts["placement_without_tutor"] == {
        "found": 0,
        "new": 0,
        "reopened": 0,
        "gone": 1,
    }
    assert {k: v for k, v in snapshot().items() if k != finding.fingerprint} == others

    m.Placement.objects.filter(pk=cast.placement.pk).update(practice_tutor=None)
    back = audit(cast.program)

    finding.refresh_from_db()
    assert (finding.status, finding.reopened_count) == (Status.OPEN, 1)
    assert finding.gone_at is None and finding.resolved_at is None
    assert finding.last_seen_run_id == back.pk
    assert back.counts["placement_without_tutor"] == {
        "found": 1,
        "new": 0,
        "reopened": 1,
        "gone": 0,
    }
    assert Finding.objects.filter(rule="placement_without_tutor").count() == 1


def test_a_finding_resolved_by_hand_is_reopened_while_the_problem_is_there(
    cast: Cast,
) -> None:
    problems(cast)
    audit(cast.program)
    finding = only("milestone_overdue")
    resolve_finding(user=cast.program_admin, finding=finding, corrective_action="Chased.")
    assert found("milestone_overdue") == []

    audit(cast.program)

    finding.refresh_from_db()
    assert (finding.status, finding.reopened_count) == (Status.OPEN, 1)
    assert finding.corrective_action == "Chased."  # the notes are the finding's own


def test_a_dismissed_finding_stays_dismissed_when_found_again_and_when_gone(
    cast: Cast,
) -> None:
    problems(cast)
    audit(cast.program)
    finding = only("milestone_overdue")
    dismiss_finding(
        user=cast.program_admin, finding=finding, justification="Extension granted by the board."
    )

    second = audit(cast.program)
    finding.refresh_from_db()
    assert finding.status == Status.DISMISSED
    assert finding.last_seen_run_id == second.pk
    assert second.counts["milestone_overdue"]["reopened"] == 0

    m.Milestone.objects.filter(pk=finding.subject_id).update(completed_on=TODAY)
    third = audit(cast.program)
    finding.refresh_from_db()
    assert (finding.status, finding.gone_at) == (Status.DISMISSED, None)
    assert third.counts["milestone_overdue"]["gone"] == 0


def test_evidence_is_refreshed_when_the_facts_change(cast: Cast) -> None:
    problems(cast)
    audit(cast.program)
    finding = only("milestone_overdue")

    audit(cast.program, as_of=TODAY + dt.timedelta(days=5))

    finding.refresh_from_db()
    assert finding.evidence["days_overdue"] == 15
    assert finding.first_seen_at < finding.last_seen_at


# ---- Idempotent chunks and runs ------------------------------------------------------------


def chunked(program: m.Program | None) -> AuditRun:
    """A run whose job has made its chunks, as a worker's run_audit does, but with nothing
    sent anywhere: the test delivers the chunks itself."""
    with mock.patch("training_portal.core.jobs.enqueue_job"):
        run = engine.start_audit(user=None, program=program)
    AuditRun.objects.filter(pk=run.pk).update(as_of=TODAY)
    with mock.patch.object(engine, "group"):
        engine.run_audit(run.job_id)
    return run


def test_a_chunk_delivered_twice_is_done_once(cast: Cast) -> None:
    problems(cast)
    run = chunked(cast.program)
    chunk = run.chunks.get(rule="milestone_overdue")

    engine.run_chunk(chunk.pk)
    after_first = snapshot()
    seen = Finding.objects.get().last_seen_at
    queries, _ = count_queries(lambda: engine.run_chunk(chunk.pk))

    assert snapshot() == after_first
    assert Finding.objects.get().last_seen_at == seen
    assert queries <= 5  # finds it done, writes nothing
    assert AuditChunk.objects.get(pk=chunk.pk).found == 1


def test_a_requeued_run_finishes_its_chunks_without_redoing_the_done_ones(
    cast: Cast,
) -> None:
    problems(cast)
    reference_run = audit(cast.program)
    reference = {k: v[1:] for k, v in snapshot().items()}
    Finding.objects.all().delete()

    run = chunked(cast.program)
    done = list(run.chunks.order_by("pk")[:5])
    for chunk in done:
        engine.run_chunk(chunk.pk)
    finished = {c.pk: c.done_at for c in run.chunks.filter(done_at__isnull=False)}
    assert len(finished) == 5
    Job.objects.filter(pk=run.job_id).update(heartbeat_at=timezone.now() - dt.timedelta(hours=1))

    with mock.patch.object(engine, "run_chunks", wraps=engine.run_chunks) as chunks_run:
        assert recover_stuck_jobs() == {"requeued": 1, "failed": 0}
        job = Job.objects.get(pk=run.job_id)
        assert job.status == Job.Status.QUEUED
        engine.run_audit(job.pk)  # the re-queued delivery

    job.refresh_from_db()
    assert (job.status, job.attempts) == (Job.Status.SUCCEEDED, 2)
    assert sum(len(call.args[0]) for call in chunks_run.call_args_list) == len(all_rules()) - 5
    assert {c.pk: c.done_at for c in run.chunks.filter(pk__in=finished)} == finished
    assert {k: v[1:] for k, v in snapshot().items()} == reference
    run.refresh_from_db()
    assert run.counts == reference_run.counts


def test_run_audit_delivered_again_after_the_end_changes_nothing(cast: Cast) -> None:
    problems(cast)
    run = audit(cast.program)
    before = snapshot()
    chunks = list(run.chunks.values_list("pk", "done_at"))

    engine.run_audit(run.job_id)  # a duplicate delivery: the job is not queued
    Job.objects.filter(pk=run.job_id).update(status=Job.Status.QUEUED)  # re-queued anyway
    engine.run_audit(run.job_id)

    assert snapshot() == before
    assert list(run.chunks.values_list("pk", "done_at")) == chunks
    job = Job.objects.get(pk=run.job_id)
    assert (job.status, job.attempts) == (Job.Status.SUCCEEDED, 2)


@pytest.mark.django_db(transaction=True)
def test_chunks_of_one_run_are_done_in_parallel_and_a_running_one_is_skipped(
    cast: Cast,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two workers: one is in the middle of a chunk; the other does the next chunk, and skips
    a second delivery of the one in progress (which its worker then finishes)."""
    problems(cast)
    run = chunked(cast.program)
    slow, other = run.chunks.get(rule="milestone_overdue"), run.chunks.get(rule="plan_not_approved")
    inside, release = threading.Event(), threading.Event()
    rule = rules_registry._rules["milestone_overdue"]

    def find_slowly(scope: Any) -> Any:
        inside.set()
        assert release.wait(20)
        return rule.find(scope)

    monkeypatch.setitem(
        rules_registry._rules, "milestone_overdue", dataclasses.replace(rule, find=find_slowly)
    )

    def first_worker() -> None:
        try:
            engine.run_chunk(slow.pk)
        finally:
            connection.close()

    worker = threading.Thread(target=first_worker)
    worker.start()
    try:
        assert inside.wait(20)
        engine.run_chunk(other.pk)  # the second worker: not held up, not skipped
        engine.run_chunk(slow.pk)  # a duplicate delivery of the running chunk: skipped
        assert AuditChunk.objects.get(pk=other.pk).done_at is not None
        assert AuditChunk.objects.get(pk=slow.pk).done_at is None
    finally:
        release.set()
        worker.join(20)
    assert AuditChunk.objects.get(pk=slow.pk).found == 1
    assert (len(found("milestone_overdue")), len(found("plan_not_approved"))) == (1, 2)


# ---- Scope ---------------------------------------------------------------------------------


def test_a_programs_run_touches_only_that_program(cast: Cast) -> None:
    other = ProgramFactory()
    stranded = PlacementFactory(student=StudentFactory(program=other), status="active")
    problems(cast)
    audit()  # the whole portal
    theirs = {k: v for k, v in snapshot().items() if v[4] == other.pk}
    assert any(v[1] == "placement_without_tutor" for v in theirs.values())

    m.Placement.objects.filter(pk=stranded.pk).update(status="completed")  # fixed there
    m.Milestone.objects.filter(student=cast.student).update(due_date=ago(3))
    run = audit(cast.program)

    assert set(run.chunks.values_list("program", flat=True)) == {cast.program.pk}
    assert {k: v for k, v in snapshot().items() if v[4] == other.pk} == theirs
    assert only("milestone_overdue").evidence["days_overdue"] == 3
    assert not Finding.objects.filter(program=other, last_seen_run=run).exists()


# ---- Set-based: the queries of a chunk do not grow with the students ----------------------


def crowd(program: m.Program, n: int) -> None:
    """n active students with a problem of each per-student rule, and two tutors."""
    academic, practice = TutorFactory(capacity=100), TutorFactory(kind="practice", capacity=100)
    for _ in range(n):
        student = StudentFactory(program=program)
        AssignmentFactory(student=student, tutor=academic)
        AssignmentFactory(student=student, tutor=practice)
        PlanFactory(student=student, status="approved")  # approved, no I&E course
        m.Milestone.objects.create(
            student=student, kind="defence", title="Defence", due_date=ago(40)
        )
        PlacementFactory(student=student, status="active")  # no practice tutor
        line = program.budget_lines.first()
        if line is not None:
            ExpenditureFactory(line=line, amount="9500.00", spent_on=ago(2), payee="Same Co.")


def chunk_queries(program: m.Program) -> dict[str, int]:
    run = chunked(program)
    counts = {}
    for chunk in run.chunks.all():
        counts[chunk.rule], _ = count_queries(lambda pk=chunk.pk: engine.run_chunk(pk))
    return counts


def test_the_queries_of_each_chunk_do_not_grow_with_the_number_of_students() -> None:
    small, large = ProgramFactory(), ProgramFactory()
    for program, n in ((small, 5), (large, 50)):
        BudgetLineFactory(program=program, amount="1000.00")
        crowd(program, n)
    chunk_queries(small)  # warms what is cached per process (content types)

    many, few = chunk_queries(large), chunk_queries(small)

    assert Finding.objects.filter(program=large, rule="milestone_overdue").count() == 50
    assert Finding.objects.filter(program=large, rule="fund_split").count() == 50
    assert many == few
    assert max(many.values()) <= 25, many


# ---- Tasks: one rule over several programs ------------------------------------------------


def decisions() -> dict[str, tuple[Any, ...]]:
    """What runs decided, without the row ids (runs that created findings afresh)."""
    return {k: v[1:] for k, v in snapshot().items()}


def per_chunk(run: AuditRun) -> dict[tuple[str, int], tuple[int, int, int, int]]:
    return {(c.rule, c.program_id): (c.found, c.new, c.reopened, c.gone) for c in run.chunks.all()}


def test_tasks_of_several_programs_decide_and_count_as_chunks_of_one(
    settings: Any,
) -> None:
    programs = [ProgramFactory() for _ in range(3)]
    for program, n in zip(programs, (1, 2, 3), strict=True):
        BudgetLineFactory(program=program, amount="1000.00")
        crowd(program, n)
    settings.AUDIT_PROGRAMS_PER_TASK = 1
    alone = audit()
    reference, reference_chunks = decisions(), per_chunk(alone)
    Finding.objects.all().delete()

    settings.AUDIT_PROGRAMS_PER_TASK = 3
    with mock.patch.object(engine, "run_chunks", wraps=engine.run_chunks) as tasks:
        together = audit()

    assert {len(call.args[0]) for call in tasks.call_args_list} == {3}  # a task: 3 programs
    assert tasks.call_count == len(all_rules())
    assert decisions() == reference
    assert per_chunk(together) == reference_chunks
    assert together.counts == alone.counts
    assert reference_chunks[("milestone_overdue", programs[2].pk)] == (3, 3, 0, 0)
    # Found again, then one program's problems fixed: counted in that program's chunk only.
    m.Milestone.objects.filter(student__program=programs[1]).update(completed_on=TODAY)
    again = audit()
    assert per_chunk(again)[("milestone_overdue", programs[1].pk)] == (0, 0, 0, 2)
    assert per_chunk(again)[("milestone_overdue", programs[2].pk)] == (3, 0, 0, 0)


def test_programs_with_their_own_settings_are_asked_apart(settings: Any) -> None:
    """A program whose thresholds differ gets a task of its own; settings changed between the
    dispatch and the task are applied (the programs are then asked separately)."""
    settings.AUDIT_PROGRAMS_PER_TASK = 10
    first, second, third = (ProgramFactory() for _ in range(3))
    for program in (first, second, third):
        for days in (10, 40):  # a milestone 10 days late, another 40 days late
            m.Milestone.objects.create(
                student=StudentFactory(program=program),
                kind="defence",
                title="Defence",
                due_date=ago(days),
            )
    RuleSetting.objects.create(
        rule="milestone_overdue", program=second, thresholds={"grace_days": 30}
    )
    run = chunked(None)
    pending = list(run.chunks.order_by("program_id").values_list("pk", "rule", "program_id"))
    overdue = {pk for pk, rule, _p in pending if rule == "milestone_overdue"}
    ids = {pk: program for pk, _r, program in pending}

    batches = [b for b in engine._task_batches(pending) if set(b) <= overdue]
    assert sorted(sorted(ids[pk] for pk in b) for b in batches) == sorted(
        [sorted([first.pk, third.pk]), [second.pk]]
    )

    # Changed after the dispatch: the third program now also waits 30 days.
    RuleSetting.objects.create(
        rule="milestone_overdue", program=third, thresholds={"grace_days": 30}
    )
    for batch in batches:
        engine.run_chunks(batch)
    late = dict(
        Finding.objects.filter(rule="milestone_overdue")
        .values("program_id")
        .annotate(n=Count("pk"))
        .values_list("program_id", "n")
    )
    assert late == {first.pk: 2, second.pk: 1, third.pk: 1}


def test_the_queries_of_a_task_do_not_grow_with_its_programs(settings: Any) -> None:
    settings.AUDIT_PROGRAMS_PER_TASK = 10
    few, many = [ProgramFactory()], [ProgramFactory() for _ in range(5)]
    for program in [*few, *many]:
        BudgetLineFactory(program=program, amount="1000.00")
        crowd(program, 2)

    def task_queries(programs: list[m.Program]) -> dict[str, int]:
        runs = [chunked(program) for program in programs]
        counts = {}
        for rule in RULES:
            ids = [run.chunks.get(rule=rule.code).pk for run in runs]
            # One run's chunks make a task; here chunks of several one-program runs stand
            # for the programs of a portal run (the task reads the run of the first).
            AuditChunk.objects.filter(pk__in=ids).update(run=runs[0])
            counts[rule.code], _ = count_queries(lambda ids=ids: engine.run_chunks(ids))
        return counts

    task_queries(few)  # warms what is cached per process (content types)
    Finding.objects.all().delete()
    assert task_queries(many) == task_queries(few)
    assert Finding.objects.filter(rule="milestone_overdue").count() == 12


# ---- Both writers agree --------------------------------------------------------------------


def lifecycle(cast: Cast) -> list[Snapshot]:
    """Find, find again, fix, bring back, dismiss: the snapshot after each run."""
    problems(cast)
    shots = []
    for step in ("find", "again", "fix", "back", "dismissed"):
        if step == "fix":
            m.Placement.objects.filter(pk=cast.placement.pk).update(
                practice_tutor=cast.practice_tutor
            )
        elif step == "back":
            m.Placement.objects.filter(pk=cast.placement.pk).update(practice_tutor=None)
        elif step == "dismissed":
            dismiss_finding(
                user=cast.program_admin,
                finding=only("milestone_overdue"),
                justification="Extension granted.",
            )
        audit(cast.program)
        shots.append({k: v[1:] for k, v in snapshot().items()})
    return shots


def test_the_generic_writer_of_other_databases_gives_the_same_findings(
    cast: Cast,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    postgres = lifecycle(cast)
    Finding.objects.all().delete()
    AuditRun.objects.all().delete()

    monkeypatch.setattr(engine, "_upsert", engine._upsert_with_orm)
    generic = lifecycle(cast)

    assert generic == postgres
    assert postgres[3] != postgres[2] != postgres[1]


def test_fingerprints_are_stable_and_distinct_per_program() -> None:
    one = engine.fingerprint("supervision_gap", "programs.student", 7, "", 1)
    assert one == engine.fingerprint("supervision_gap", "programs.student", 7, "", 1)
    assert len({
        one,
        engine.fingerprint("supervision_gap", "programs.student", 7, "", 2),
        engine.fingerprint("supervision_gap", "programs.student", 8, "", 1),
        engine.fingerprint("plan_not_approved", "programs.student", 7, "", 1),
        engine.fingerprint("supervision_frequency", "programs.student", 7, "academic", 1),
    }) == 5  # fmt: skip


@pytest.mark.parametrize("writer", ["postgresql", "generic"])
def test_runs_keep_the_stored_severity_rank_when_a_severity_changes(
    cast: Cast, admin: Any, monkeypatch: pytest.MonkeyPatch, writer: str
) -> None:
    if writer == "generic":
        monkeypatch.setattr(engine, "_upsert", engine._upsert_with_orm)
    problems(cast)
    audit(cast.program)
    overdue = only("milestone_overdue")
    assert (overdue.severity, overdue.severity_rank) != ("critical", 3)
    change_rule_setting(
        user=admin, rule="milestone_overdue", program=cast.program, severity="critical"
    )
    audit(cast.program)
    assert {(f.severity, f.severity_rank) for f in Finding.objects.all()} <= {
        (severity, rank) for severity, rank in SEVERITY_RANK.items()
    }
    overdue.refresh_from_db()
    assert (overdue.severity, overdue.severity_rank) == ("critical", 3)
