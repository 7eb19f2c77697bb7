"""Running audits: a run is split into chunks (one rule over one program). Celery tasks take
the chunks of one rule in batches (programs sharing the rule's settings, up to
`AUDIT_PROGRAMS_PER_TASK` of them) and spread them over the workers; each task asks the rule
once for all its programs (set-based) and writes the findings in bulk.

Safe to repeat: a chunk is done once (row lock + `done_at`), findings are upserted by
fingerprint, and the run ends when its last chunk is done. A worker killed mid-task loses
nothing: the task's transaction rolls back, the job's heartbeat goes stale, the stuck-job
check re-queues the run, and the run dispatches the chunks that are not done yet.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import orjson
from celery import group
from django.conf import settings as django_settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import Count, F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from programs.models import Program
from training_portal.core import jobs
from training_portal.core.history import history_context
from training_portal.core.models import Job
from training_portal.core.texts import text

from ..models import AuditChunk, AuditRun, Finding, RuleSetting
from ..models.audit import severity_rank_of
from ..rules import Hit, Rule, Scope, all_rules, get_rule
from . import permissions

logger = logging.getLogger(__name__)

JOB_KIND = "supervision.audit"
JOB_LABEL = gettext_lazy("Audit")
BATCH = 5000


@dataclass(frozen=True)
class Effective:
    """A rule's settings for one program: portal-wide settings overridden by the program's."""

    enabled: bool
    severity: str
    thresholds: dict[str, Any]

    def key(self) -> tuple[str, str]:
        """Equal for settings that can share one query (severity and thresholds)."""
        return self.severity, repr(sorted(self.thresholds.items()))


def effective_settings(
    rules: Sequence[Rule], program_ids: Iterable[int]
) -> dict[tuple[str, int], Effective]:
    """One query, whatever the number of rules and programs."""
    program_ids = list(program_ids)
    codes = [rule.code for rule in rules]
    portal: dict[str, RuleSetting] = {}
    local: dict[tuple[str, int], RuleSetting] = {}
    for setting in RuleSetting.objects.filter(rule__in=codes).filter(
        Q(program__isnull=True) | Q(program_id__in=program_ids)
    ):
        if setting.program_id is None:
            portal[setting.rule] = setting
        else:
            local[(setting.rule, setting.program_id)] = setting
    result: dict[tuple[str, int], Effective] = {}
    for rule in rules:
        base = portal.get(rule.code)
        for program_id in program_ids:
            own = local.get((rule.code, program_id))
            thresholds = rule.defaults()
            for layer in (base, own):
                if layer is not None:
                    thresholds.update(
                        {k: v for k, v in layer.thresholds.items() if k in rule.thresholds}
                    )
            layers = [s for s in (base, own) if s is not None]
            result[(rule.code, program_id)] = Effective(
                enabled=all(s.enabled for s in layers),
                severity=next((s.severity for s in reversed(layers) if s.severity), rule.severity),
                thresholds=thresholds,
            )
    return result


# ---- Starting a run ------------------------------------------------------------------------


@transaction.atomic
def start_audit(
    *,
    user: Any,
    program: Program | None = None,
    rules: Sequence[str] = (),
    schedule: str = "",
) -> AuditRun:
    """Queue an audit of one program (or the whole portal) with all enabled rules or some.

    `user` is None when a schedule starts it.
    """
    if user is not None and not permissions.can_start_audit(user, program):
        raise PermissionDenied
    unknown = sorted(set(rules) - {rule.code for rule in all_rules()})
    if unknown:
        raise ValidationError(
            {"rules": [_("Unknown rule: %(code)s.") % {"code": code} for code in unknown]}
        )
    if program is not None and program.status == Program.Status.CLOSED:
        raise ValidationError({"program": [_("A closed program is not audited.")]})
    job = jobs.start_job(
        kind=JOB_KIND,
        owner=user,
        params={"program": program.pk if program else None, "rules": list(rules)},
    )
    return AuditRun.objects.create(
        program=program, rules=list(rules), started_by=user, schedule=schedule, job=job
    )


def _programs_of(run: AuditRun) -> list[int]:
    if run.program_id is not None:
        return [run.program_id]
    return list(
        Program.objects.exclude(status=Program.Status.CLOSED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _rules_of(run: AuditRun) -> list[Rule]:
    chosen = set(run.rules)
    return [rule for rule in all_rules() if not chosen or rule.code in chosen]


def run_audit(job_id: int) -> None:
    """The job's task: make the chunks (once), then dispatch those not done yet."""
    job = jobs.claim_job(job_id)
    if job is None:
        logger.info("audit job %s is not queued; this delivery does nothing", job_id)
        return
    run = AuditRun.objects.get(job=job)
    if not run.chunks.exists():
        rules = _rules_of(run)
        programs = _programs_of(run)
        settings = effective_settings(rules, programs)
        AuditChunk.objects.bulk_create(
            [
                AuditChunk(run=run, rule=rule.code, program_id=program_id)
                for program_id in programs
                for rule in rules
                if settings[(rule.code, program_id)].enabled
            ],
            batch_size=BATCH,
            ignore_conflicts=True,
        )
    total = run.chunks.count()
    pending = list(
        run.chunks.filter(done_at__isnull=True)
        .order_by("rule", "program_id")
        .values_list("pk", "rule", "program_id")
    )
    jobs.report_progress(
        job,
        done=total - len(pending),
        total=total,
        message=text("audit.progress", done=total - len(pending), count=total),
    )
    if not pending:
        finish_run(run.pk)
        return
    from .tasks import audit_chunks

    group(audit_chunks.si(batch) for batch in _task_batches(pending)).apply_async()


def _task_batches(pending: Sequence[tuple[int, str, int]]) -> list[list[int]]:
    """The pending chunks (id, rule, program) as the tasks' lists of chunk ids: the chunks of
    one rule whose programs share its settings, at most `AUDIT_PROGRAMS_PER_TASK` a task."""
    size = django_settings.AUDIT_PROGRAMS_PER_TASK
    rules = {code: rule for code in {c[1] for c in pending} if (rule := get_rule(code))}
    settings = effective_settings(list(rules.values()), {c[2] for c in pending})
    groups: dict[tuple[str, tuple[str, str] | None], list[int]] = defaultdict(list)
    for pk, code, program_id in pending:
        effective = settings.get((code, program_id))
        groups[(code, effective.key() if effective else None)].append(pk)
    return [ids[i : i + size] for ids in groups.values() for i in range(0, len(ids), size)]


# ---- One chunk -----------------------------------------------------------------------------


def fingerprint(
    rule: str, subject: str, subject_id: int, key: str = "", program_id: int = 0
) -> str:
    """The identity of a problem: the same problem found again has the same fingerprint.

    The program is part of it, so that each chunk (one rule over one program) alone owns its
    findings: chunks never write the same row, whatever order they run in (a student or
    tutor whose program changes gets a finding there, and the old one is closed).
    """
    return hashlib.sha256(f"{rule}|{subject}|{subject_id}|{key}|{program_id}".encode()).hexdigest()


def still_present(finding: Finding, *, today: Any = None) -> bool | None:
    """Whether the finding's rule, checked now for its program with the program's settings,
    finds the same problem again (the same fingerprint), as the next run would.

    None when no run will check it again: the rule is gone or switched off for the
    program, or the program is closed (not audited).
    """
    return still_present_of([finding], today=today)[finding.pk]


def still_present_of(findings: Iterable[Finding], *, today: Any = None) -> dict[int, bool | None]:
    """`still_present` for several findings (by id), asking each rule once per program."""
    groups: dict[tuple[str, int], list[Finding]] = defaultdict(list)
    for finding in findings:
        groups[(finding.rule, finding.program_id)].append(finding)
    program_ids = {program_id for _code, program_id in groups}
    closed = set(
        Program.objects.filter(pk__in=program_ids, status=Program.Status.CLOSED).values_list(
            "pk", flat=True
        )
    )
    rules = {code: rule for code, _pid in groups if (rule := get_rule(code)) is not None}
    settings = effective_settings(list(rules.values()), program_ids)
    result: dict[int, bool | None] = {}
    for (code, program_id), items in groups.items():
        rule = rules.get(code)
        effective = settings.get((code, program_id))
        if rule is None or effective is None or not effective.enabled or program_id in closed:
            result.update({finding.pk: None for finding in items})
            continue
        scope = Scope(
            program_ids=(program_id,),
            today=today or timezone.localdate(),
            thresholds=effective.thresholds,
        )
        found = {
            fingerprint(rule.code, rule.subject, hit.subject_id, hit.key, hit.program_id)
            for hit in rule.find(scope)
        }
        result.update({finding.pk: finding.fingerprint in found for finding in items})
    return result


@contextlib.contextmanager
def _chunk_transaction() -> Iterator[None]:
    """A chunk's transaction; on PostgreSQL its commit does not wait for the disk, its
    queries are planned for data in memory, and its foreign keys are checked as it goes.

    Not waiting is safe for chunks: a crash of the database may lose the last commits, but
    never part of one, and the next synchronous commit (the job's end, for one) makes every
    earlier one durable; a lost chunk is simply not done, and the recovered run redoes it.
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # A chunk reads a few thousand rows through indexes, from data that is in
                # memory on any server that audits: tell the planner so (the default cost
                # of a random read assumes a spinning disk and prefers scanning whole tables).
                # Foreign keys are checked per statement, not at commit: deferred checks
                # queue one trigger event per history row written, which grows quadratically.
                cursor.execute(
                    "SET LOCAL synchronous_commit TO OFF; SET LOCAL random_page_cost TO 1.1; "
                    "SET CONSTRAINTS ALL IMMEDIATE"
                )
        yield


def run_chunk(chunk_id: int) -> None:
    """One chunk alone (see `run_chunks`)."""
    run_chunks([chunk_id])


def run_chunks(chunk_ids: Sequence[int]) -> None:
    """Check one rule over the programs of these chunks (of one run) and record the
    findings; the chunks already done, or being done by another worker, are skipped."""
    with _chunk_transaction():
        # Lock the chunks' rows only (not the run's, which every chunk joins): a delivery of
        # a chunk that another worker is running skips it; other chunks go on in parallel.
        chunks = list(
            AuditChunk.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("run")
            .filter(pk__in=list(chunk_ids), done_at__isnull=True)
            .order_by("pk")
        )
        if not chunks:
            return
        run = chunks[0].run
        by_rule: dict[str, list[AuditChunk]] = defaultdict(list)
        for chunk in chunks:
            by_rule[chunk.rule].append(chunk)
        now = timezone.now()
        for code, mine in by_rule.items():
            rule = get_rule(code)
            if rule is None:  # a rule removed from the code since the run started
                for chunk in mine:
                    chunk.done_at = now
                continue
            # The settings now (an administrator may have changed them since the dispatch):
            # programs whose settings differ are asked separately.
            settings = effective_settings([rule], [c.program_id for c in mine])
            alike: dict[tuple[str, str], list[AuditChunk]] = defaultdict(list)
            for chunk in mine:
                alike[settings[(code, chunk.program_id)].key()].append(chunk)
            for group_ in alike.values():
                effective = settings[(code, group_[0].program_id)]
                programs = tuple(c.program_id for c in group_)
                scope = Scope(
                    program_ids=programs, today=run.as_of, thresholds=effective.thresholds
                )
                with history_context(job=run.job_id, audit_run=run.pk):
                    stats = record_findings(
                        run=run,
                        rule=rule,
                        program_ids=programs,
                        severity=effective.severity,
                        hits=rule.find(scope),
                    )
                for chunk in group_:
                    chunk.done_at = now
                    for name, value in stats[chunk.program_id].items():
                        setattr(chunk, name, value)
        AuditChunk.objects.bulk_update(chunks, ["done_at", "found", "new", "reopened", "gone"])
    _after_chunk(run)


class _Row(NamedTuple):
    """A hit ready to be written, with its fingerprint."""

    fingerprint: str
    program_id: int
    subject_id: int
    student_id: int | None
    tutor_id: int | None
    organization_id: int | None
    details: dict[str, Any]
    evidence: dict[str, Any]


def _batches(rule: Rule, program_ids: Sequence[int], hits: Iterable[Hit]) -> Iterator[list[_Row]]:
    """The hits as rows, in batches, each fingerprint once (a repeated hit counts once)."""
    batch: list[_Row] = []
    seen: set[str] = set()
    allowed = set(program_ids)
    for hit in hits:
        if hit.program_id not in allowed:
            raise ValueError(f"rule {rule.code} found a problem outside its programs")
        print_ = fingerprint(rule.code, rule.subject, hit.subject_id, hit.key, hit.program_id)
        if print_ in seen:
            continue
        seen.add(print_)
        batch.append(
            _Row(
                print_,
                hit.program_id,
                hit.subject_id,
                hit.student_id,
                hit.tutor_id,
                hit.organization_id,
                hit.details,
                hit.evidence,
            )
        )
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


Stats = dict[str, int]


def record_findings(
    *,
    run: AuditRun,
    rule: Rule,
    program_ids: Sequence[int],
    severity: str,
    hits: Iterable[Hit],
) -> dict[int, Stats]:
    """Upsert the hits as findings; reopen resolved ones that came back; close the ones that
    are gone (in these programs). Returns, per program, the counts found, new, reopened and
    gone.

    A finding found again keeps its status (a dismissed one stays dismissed), its first
    sighting, assignee and notes; its facts and last sighting are refreshed.
    """
    now = timezone.now()
    shared: dict[str, Any] = {  # by attribute name
        "rule": rule.code,
        "severity": severity,
        # Bulk writes skip `Finding.save()`, which keeps the rank otherwise.
        "severity_rank": severity_rank_of(severity),
        "subject_type_id": ContentType.objects.get_by_natural_key(*rule.subject.split(".")).pk,
        "first_seen_run_id": run.pk,
        "last_seen_run_id": run.pk,
        "first_seen_at": now,
        "last_seen_at": now,
        "gone_at": None,
    }
    write = _upsert if connection.vendor == "postgresql" else _upsert_with_orm
    stats = {pk: {"found": 0, "new": 0, "reopened": 0, "gone": 0} for pk in program_ids}
    # The resolved findings (which the upsert reopens if found again), asked once rather
    # than probed for every hit.
    resolved = set(
        Finding.objects.filter(
            rule=rule.code, program_id__in=list(program_ids), status=Finding.Status.RESOLVED
        ).values_list("fingerprint", flat=True)
    )
    for batch in _batches(rule, program_ids, hits):
        for row in batch:
            counts = stats[row.program_id]
            counts["found"] += 1
            if row.fingerprint in resolved:
                counts["reopened"] += 1
        for program_id, inserted in write(batch, shared):
            stats[program_id]["new"] += inserted
    gone = Finding.objects.filter(
        rule=rule.code, program_id__in=list(program_ids), status__in=Finding.ACTIVE
    ).exclude(last_seen_run=run)
    gone_per_program = dict(
        gone.values("program_id").annotate(n=Count("pk")).values_list("program_id", "n").order_by()
    )
    if gone_per_program:
        gone.update(status=Finding.Status.RESOLVED, gone_at=now, resolved_at=now)
    for program_id, n in gone_per_program.items():
        stats[program_id]["gone"] = n
    return stats


#: Refreshed when a finding is found again; everything else (status, first sighting,
#: assignee, due date, notes) is the finding's own.
_REFRESHED = (
    "severity",
    "severity_rank",
    "organization_id",
    "student_id",
    "tutor_id",
    "details",
    "evidence",
    "last_seen_run_id",
    "last_seen_at",
    "gone_at",
)
#: The fields taken from each hit, with their key and type in the batch document.
_PER_ROW = {
    "fingerprint": ("f", "text"),
    "program_id": ("p", "bigint"),
    "subject_id": ("s", "bigint"),
    "student_id": ("st", "bigint"),
    "tutor_id": ("t", "bigint"),
    "organization_id": ("o", "bigint"),
    "details": ("d", "jsonb"),
    "evidence": ("e", "jsonb"),
}


def _upsert_sql() -> str:
    """One statement per batch: the rows arrive as one JSON document (no per-value
    parameters); a fingerprint already there is refreshed instead of inserted, and reopened
    if it was resolved. Returns, per program, the count of new findings. The columns come
    from the model: a field added later gets its default."""
    qn = connection.ops.quote_name
    meta = Finding._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    col = {f.attname: qn(str(f.column)) for f in fields}
    values = [
        f"h.{_PER_ROW[f.attname][0]}" if f.attname in _PER_ROW else f"%({f.attname})s"
        for f in fields
    ]
    record = ", ".join(f"{key} {kind}" for key, kind in _PER_ROW.values())
    back = f"f.{col['status']} = %(resolved)s"
    refreshed = [f"{col[name]} = EXCLUDED.{col[name]}" for name in _REFRESHED] + [
        f"{col['status']} = CASE WHEN {back} THEN %(reopen)s ELSE f.{col['status']} END",
        f"{col['resolved_at']} = CASE WHEN {back} THEN NULL ELSE f.{col['resolved_at']} END",
        f"{col['reopened_count']} = f.{col['reopened_count']} + CASE WHEN {back} THEN 1 ELSE 0 END",
    ]
    table, fingerprint = qn(meta.db_table), col["fingerprint"]
    return (
        f"WITH up AS (INSERT INTO {table} AS f ({', '.join(col.values())}) "  # noqa: S608 -- names from the model
        f"SELECT {', '.join(values)} FROM jsonb_to_recordset(%(rows)s::jsonb) AS h({record}) "
        f"ON CONFLICT ({fingerprint}) DO UPDATE SET {', '.join(refreshed)} "
        f"RETURNING f.{col['program_id']} AS p, "
        f"f.{col['first_seen_run_id']} = %(first_seen_run_id)s AS new) "
        "SELECT p, count(*) FILTER (WHERE new) FROM up GROUP BY p"
    )


def _encode(rows: list[dict[str, Any]]) -> str:
    """The batch as one JSON document: orjson (a hit's facts may hold dates, decimals or
    lazy text: Django's encoder takes those)."""
    return orjson.dumps(rows, default=DjangoJSONEncoder().default).decode()


def _upsert(batch: Sequence[_Row], shared: dict[str, Any]) -> list[tuple[int, int]]:
    """PostgreSQL: INSERT … SELECT … ON CONFLICT DO UPDATE; returns (program, new) for the
    programs of the batch."""
    params: dict[str, Any] = {
        "resolved": Finding.Status.RESOLVED.value,
        "reopen": Finding.Status.OPEN.value,
    }
    for f in Finding._meta.concrete_fields:
        if not f.primary_key and f.attname not in _PER_ROW:
            value = shared[f.attname] if f.attname in shared else f.get_default()
            params[f.attname] = f.get_db_prep_save(value, connection)
    keys = [key for key, _kind in _PER_ROW.values()]
    params["rows"] = _encode([dict(zip(keys, row, strict=True)) for row in batch])
    with connection.cursor() as cursor:
        cursor.execute(_upsert_sql(), params)
        return [(int(p), int(new)) for p, new in cursor.fetchall()]


def _upsert_with_orm(batch: Sequence[_Row], shared: dict[str, Any]) -> list[tuple[int, int]]:
    """Other databases (the embedded SQLite): bulk_create with update_conflicts, then the
    resolved ones found again are reopened. Returns (program, new) per program."""
    prints = [row.fingerprint for row in batch]
    known = set(
        Finding.objects.filter(fingerprint__in=prints).values_list("fingerprint", flat=True)
    )
    Finding.objects.bulk_create(
        [Finding(**row._asdict(), **shared) for row in batch],
        update_conflicts=True,
        unique_fields=["fingerprint"],
        update_fields=list(_REFRESHED),
    )
    Finding.objects.filter(fingerprint__in=prints, status=Finding.Status.RESOLVED).update(
        status=Finding.Status.OPEN, resolved_at=None, reopened_count=F("reopened_count") + 1
    )
    counts: dict[int, int] = defaultdict(int)
    for row in batch:
        if row.fingerprint not in known:
            counts[row.program_id] += 1
    return list(counts.items())


def _after_chunk(run: AuditRun) -> None:
    """Progress and heartbeat; the chunk that completes the run ends it."""
    with _chunk_transaction():  # runs after the chunk's commit, so it sees every chunk done
        counts = AuditChunk.objects.filter(run=run).aggregate(
            total=Count("pk"), done=Count("pk", filter=Q(done_at__isnull=False))
        )
        total, done = counts["total"] or 0, counts["done"] or 0
        message = text("audit.progress", done=done, count=total)
        Job.objects.filter(pk=run.job_id, status=Job.Status.RUNNING).update(
            progress_done=done,
            progress_total=total,
            heartbeat_at=timezone.now(),
            message=str(message)[:255],
            message_id=message.id,
            message_params=message.stored_params(),
        )
    if done == total:
        finish_run(run.pk)


def finish_run(run_id: int) -> None:
    """Sum the chunks per rule and end the job; safe to call more than once."""
    run = AuditRun.objects.select_related("job").get(pk=run_id)
    per_rule: dict[str, dict[str, int]] = {}
    for row in run.chunks.values("rule").annotate(
        found=Sum("found"), new=Sum("new"), reopened=Sum("reopened"), gone=Sum("gone")
    ):
        per_rule[str(row["rule"])] = {
            name: int(row[name] or 0) for name in ("found", "new", "reopened", "gone")
        }
    finished = AuditRun.objects.filter(pk=run_id, finished_at__isnull=True).update(
        finished_at=timezone.now(), counts=per_rule
    )
    job = run.job
    if job.status == Job.Status.RUNNING:  # else re-queued meanwhile: its next attempt ends it
        found = sum(row["found"] for row in per_rule.values())
        ended = jobs.finish_job(
            job,
            succeeded=True,
            message=text("audit.complete", count=found),
            result={"run": run.pk, "counts": per_rule},
        )
        if ended:
            jobs.notify_owner_of_end(job.pk)
    if finished:
        # The public per-program summaries follow the run (a new version if figures
        # changed): a task of its own, once the audit's job has ended.
        from ..inspections.tasks import refresh_audit_summaries_task

        transaction.on_commit(lambda: refresh_audit_summaries_task.delay(run_id))
