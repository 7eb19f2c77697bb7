"""Running audits: a run is split into chunks (one rule over one program) that Celery spreads
over the workers; each chunk is set-based and writes its findings in bulk.

Safe to repeat: a chunk is done once (row lock + `done_at`), findings are upserted by
fingerprint, and the run ends when its last chunk is done. A worker killed mid-chunk loses
nothing: the chunk's transaction rolls back, the job's heartbeat goes stale, the stuck-job
check re-queues the run, and the run dispatches the chunks that are not done yet.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from celery import group
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from programs.models import Program
from training_portal.core import jobs
from training_portal.core.history import history_context
from training_portal.core.models import Job

from . import permissions
from .models import AuditChunk, AuditRun, Finding, RuleSetting
from .rules import Rule, Scope, all_rules, get_rule

logger = logging.getLogger(__name__)

JOB_KIND = "supervision.audit"
JOB_LABEL = gettext_lazy("Audit")
BATCH = 2000


@dataclass(frozen=True)
class Effective:
    """A rule's settings for one program: portal-wide settings overridden by the program's."""

    enabled: bool
    severity: str
    thresholds: dict[str, Any]


def effective_settings(
    rules: Sequence[Rule], program_ids: Iterable[int]
) -> dict[tuple[str, int], Effective]:
    """Two queries, whatever the number of rules and programs."""
    program_ids = list(program_ids)
    codes = [rule.code for rule in rules]
    portal = {s.rule: s for s in RuleSetting.objects.filter(rule__in=codes, program__isnull=True)}
    local = {
        (s.rule, s.program_id): s
        for s in RuleSetting.objects.filter(rule__in=codes, program_id__in=program_ids)
    }
    result: dict[tuple[str, int], Effective] = {}
    for rule in rules:
        base = portal.get(rule.code)
        for program_id in program_ids:
            own = local.get((rule.code, program_id))
            thresholds = rule.defaults()
            for setting in (base, own):
                if setting is not None:
                    thresholds.update(
                        {k: v for k, v in setting.thresholds.items() if k in rule.thresholds}
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
    pending = list(run.chunks.filter(done_at__isnull=True).values_list("pk", flat=True))
    jobs.report_progress(
        job,
        done=total - len(pending),
        total=total,
        message=_("%(done)d of %(total)d rule checks done.")
        % {"done": total - len(pending), "total": total},
    )
    if not pending:
        finish_run(run.pk)
        return
    from .tasks import audit_chunk

    group(audit_chunk.si(chunk_id) for chunk_id in pending).apply_async()


# ---- One chunk -----------------------------------------------------------------------------


def fingerprint(rule: str, subject: str, subject_id: int, key: str = "") -> str:
    return hashlib.sha256(f"{rule}|{subject}|{subject_id}|{key}".encode()).hexdigest()


def run_chunk(chunk_id: int) -> None:
    """Check one rule over one program and record the findings; nothing if already done."""
    with transaction.atomic():
        chunk = (
            AuditChunk.objects.select_for_update(skip_locked=True)
            .select_related("run")
            .filter(pk=chunk_id, done_at__isnull=True)
            .first()
        )
        if chunk is None:
            return
        run = chunk.run
        rule = get_rule(chunk.rule)
        if rule is None:  # a rule removed from the code since the run started
            chunk.done_at = timezone.now()
            chunk.save(update_fields=["done_at"])
        else:
            effective = effective_settings([rule], [chunk.program_id])[
                (rule.code, chunk.program_id)
            ]
            scope = Scope(
                program_id=chunk.program_id, today=run.as_of, thresholds=effective.thresholds
            )
            with history_context(job=run.job_id, audit_run=run.pk):
                stats = record_findings(
                    run=run,
                    rule=rule,
                    program_id=chunk.program_id,
                    severity=effective.severity,
                    hits=rule.find(scope),
                )
            AuditChunk.objects.filter(pk=chunk.pk).update(done_at=timezone.now(), **stats)
    _after_chunk(run)


def record_findings(
    *, run: AuditRun, rule: Rule, program_id: int, severity: str, hits: Iterable[Any]
) -> dict[str, int]:
    """Upsert the hits as findings; reopen resolved ones that came back; close the ones that
    are gone. Returns the counts found, new, reopened and gone."""
    now = timezone.now()
    subject_type = ContentType.objects.get_by_natural_key(*rule.subject.split("."))
    mine = Finding.objects.filter(rule=rule.code, program_id=program_id)
    known = set(mine.values_list("fingerprint", flat=True))
    found = new = 0
    batch: list[Finding] = []

    def flush() -> None:
        Finding.objects.bulk_create(
            batch,
            update_conflicts=True,
            unique_fields=["fingerprint"],
            update_fields=[
                "severity",
                "program",
                "organization",
                "student",
                "tutor",
                "details",
                "evidence",
                "last_seen_run",
                "last_seen_at",
                "gone_at",
            ],
        )
        batch.clear()

    for hit in hits:
        found += 1
        print_ = fingerprint(rule.code, rule.subject, hit.subject_id, hit.key)
        new += print_ not in known
        batch.append(
            Finding(
                rule=rule.code,
                severity=severity,
                fingerprint=print_,
                program_id=program_id,
                organization_id=hit.organization_id,
                student_id=hit.student_id,
                tutor_id=hit.tutor_id,
                subject_type=subject_type,
                subject_id=hit.subject_id,
                details=hit.details,
                evidence=hit.evidence,
                first_seen_run=run,
                last_seen_run=run,
                first_seen_at=now,
                last_seen_at=now,
                gone_at=None,
            )
        )
        if len(batch) >= BATCH:
            flush()
    if batch:
        flush()
    reopened = mine.filter(last_seen_run=run, status=Finding.Status.RESOLVED).update(
        status=Finding.Status.OPEN, resolved_at=None, reopened_count=F("reopened_count") + 1
    )
    gone = (
        mine.filter(status__in=Finding.ACTIVE)
        .exclude(last_seen_run=run)
        .update(status=Finding.Status.RESOLVED, gone_at=now, resolved_at=now)
    )
    return {"found": found, "new": new, "reopened": reopened, "gone": gone}


def _after_chunk(run: AuditRun) -> None:
    """Progress and heartbeat; the chunk that completes the run ends it."""
    counts = AuditChunk.objects.filter(run=run).aggregate(
        total=Count("pk"), done=Count("pk", filter=Q(done_at__isnull=False))
    )
    total, done = counts["total"] or 0, counts["done"] or 0
    Job.objects.filter(pk=run.job_id, status=Job.Status.RUNNING).update(
        progress_done=done,
        progress_total=total,
        heartbeat_at=timezone.now(),
        message=(_("%(done)d of %(total)d rule checks done.") % {"done": done, "total": total})[
            :255
        ],
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
    AuditRun.objects.filter(pk=run_id, finished_at__isnull=True).update(
        finished_at=timezone.now(), counts=per_rule
    )
    job = run.job
    if job.status != Job.Status.RUNNING:
        return  # re-queued meanwhile: its next attempt finds nothing left and ends it
    found = sum(row["found"] for row in per_rule.values())
    ended = jobs.finish_job(
        job,
        succeeded=True,
        message=_("Audit complete: %(found)d findings.") % {"found": found},
        result={"run": run.pk, "counts": per_rule},
    )
    if ended:
        jobs.notify_owner_of_end(job.pk)
