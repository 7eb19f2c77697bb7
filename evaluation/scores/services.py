"""Partner performance: starting a run, computing every partner's score for a period, the
ranking per organisation kind, probation recommendations and the administrator's decisions.

A run is started by a portal administrator (`start_partner_scores`) and computed by a
background job (`compute_scores`): a fixed number of queries, whatever the number of
partners, reading the raw numbers of each component (`formula.py`) for all partners at once;
then every score is ranked among the organisations of its kind. The raw numbers are stored
with each score, and `formula.score_from_inputs` recomputes it exactly.

A partner is recommended for probation when its score is below the run's threshold, or when
it is in the bottom share of its kind in this run and in the previous run (the latest
finished run whose period ended before this one started). A decision (probation,
suspension of new placements, exit or no action) is taken once per score, with a reason,
and changes the organisation's status through `change_organization_status`, so that its
status history records it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from decimal import ROUND_FLOOR, Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
    Sum,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from programs.models import (
    BudgetLine,
    Expenditure,
    Organization,
    PartnerResponsibility,
    ProgramPartner,
)
from programs.partners.services.partners import change_organization_status
from supervision.models import Finding
from training_portal.core.jobs import finish_job, report_progress, start_job
from training_portal.core.models import Job
from training_portal.core.texts import Text, text

from ..models import (
    AnonymousAnswer,
    Evaluation,
    EvaluationRound,
    PartnerScore,
    PartnerScoreRun,
    RewardEntry,
)
from ..models.scores import ProbationDecision
from . import formula, permissions

__all__ = [
    "DECISION_STATUS",
    "JOB_KIND",
    "compute_scores",
    "decide_probation",
    "partner_organizations",
    "previous_run",
    "recommendations",
    "run_partner_scores_job",
    "start_partner_scores",
    "undecided_count",
]

#: The core job kind of a run (its Celery task has the same name).
JOB_KIND = "evaluation.partner_scores"
#: The organisation status each decision leads to (no action: none).
DECISION_STATUS: dict[str, str | None] = {
    ProbationDecision.Decision.PROBATION: Organization.Status.PROBATION,
    ProbationDecision.Decision.SUSPEND_PLACEMENTS: Organization.Status.SUSPENDED,
    ProbationDecision.Decision.EXIT: Organization.Status.EXITED,
    ProbationDecision.Decision.NO_ACTION: None,
}
FUND_RULES = "fund_"
RESPONSIBILITY_RULE = "responsibility_unfulfilled"
STAGES = 7
Progress = Callable[[int, Text], None]


# ---- Starting a run ------------------------------------------------------------------------


def _percent(value: Any, default: Decimal, field: str, errors: dict[str, list[str]]) -> Decimal:
    if value is None or value == "":
        return default
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        errors[field] = [_("Give a number from 0 to 100.")]
        return default
    if not number.is_finite() or not 0 <= number <= 100:
        # Not quantized: a huge number would raise InvalidOperation.
        errors[field] = [_("Give a number from 0 to 100.")]
        return default
    return number.quantize(Decimal("0.01"))


@transaction.atomic
def start_partner_scores(
    *,
    user: User,
    period_start: dt.date,
    period_end: dt.date,
    label: str,
    weights: dict[str, Any] | None = None,
    threshold: Any = None,
    bottom_share: Any = None,
) -> PartnerScoreRun:
    """Start computing every partner's score for a period (a background job)."""
    if not permissions.can_start_run(user):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    label = (label or "").strip()
    if not label:
        errors["label"] = [_("Name the period, for example “2026”.")]
    elif len(label) > 40:
        errors["label"] = [_("Keep the name of the period to 40 characters.")]
    if not isinstance(period_start, dt.date):
        errors["period_start"] = [_("Give the first day of the period.")]
    if not isinstance(period_end, dt.date):
        errors["period_end"] = [_("Give the last day of the period.")]
    elif isinstance(period_start, dt.date) and period_end < period_start:
        errors["period_end"] = [_("The period must end on or after its start.")]
    threshold_value = _percent(threshold, formula.DEFAULT_THRESHOLD, "threshold", errors)
    share = _percent(bottom_share, formula.DEFAULT_BOTTOM_SHARE, "bottom_share", errors)
    if "bottom_share" not in errors and share >= 100:
        errors["bottom_share"] = [_("The bottom share must be less than 100%.")]
    try:
        cleaned_weights = formula.clean_weights(weights)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    job = start_job(kind=JOB_KIND, owner=user, params={"label": label})
    return PartnerScoreRun.objects.create(
        label=label,
        period_start=period_start,
        period_end=period_end,
        weights=cleaned_weights,
        threshold=threshold_value,
        bottom_share=share,
        job=job,
        started_by=user,
    )


def run_partner_scores_job(job: Job) -> None:
    """The body of the run's job (`tasks.compute_partner_scores`)."""
    run = PartnerScoreRun.objects.get(job=job)

    def progress(done: int, message: Text) -> None:
        report_progress(job, done=done, total=STAGES, message=message)

    count = compute_scores(run, progress=progress)
    finish_job(
        job,
        succeeded=True,
        message=text("scores.done", count=count),
        result={"run": run.pk, "scores": count},
    )


# ---- Computing -----------------------------------------------------------------------------


def partner_organizations() -> QuerySet[Organization]:
    """The organisations scored: active partners of a program that have not exited."""
    partners = ProgramPartner.objects.filter(is_active=True).values("organization_id")
    return Organization.objects.filter(pk__in=partners).exclude(status=Organization.Status.EXITED)


def previous_run(run: PartnerScoreRun) -> PartnerScoreRun | None:
    """The latest finished run whose period ended before this run's period started."""
    return (
        PartnerScoreRun.objects.filter(finished_at__isnull=False, period_end__lt=run.period_start)
        .exclude(pk=run.pk)
        .order_by("-period_end", "-pk")
        .first()
    )


def _grouped(rows: QuerySet[Any], key: str, **fields: str) -> dict[int, dict[str, Any]]:
    return {row[key]: {name: row[src] for name, src in fields.items()} for row in rows}


def _evaluation_inputs(run: PartnerScoreRun, partners: QuerySet[Any]) -> dict[int, dict[str, Any]]:
    """Named evaluations and anonymous answers about each partner, its placements and its
    tutors, in rounds overlapping the period (six grouped queries). Anonymous answers are
    counted per round, only from a closed round's minimum number of answers on."""
    overlap = Q(round__period_start__lte=run.period_end, round__period_end__gte=run.period_start)
    paths = ("organization_id", "placement__host_id", "tutor__organization_id")
    result: dict[int, dict[str, Any]] = defaultdict(
        lambda: {
            "named_count": 0,
            "named_sum": Decimal(0),
            "anonymous_count": 0,
            "anonymous_sum": Decimal(0),
        }
    )
    for path in paths:
        for row in (
            Evaluation.objects.filter(overlap, **{f"{path}__in": partners})
            .values(path)
            .annotate(n=Count("pk"), total=Sum("total"))
            .order_by()
        ):
            slot = result[row[path]]
            slot["named_count"] += row["n"]
            slot["named_sum"] += row["total"] or Decimal(0)
    # Anonymous answers count once their round is closed (see evaluations.services), and per
    # round from the minimum number of answers about the partner on: a score recomputed after
    # one more answer, or one more round, would otherwise give those answers away.
    minimum = settings.EVALUATION_MIN_ANONYMOUS
    for path in paths:
        for row in (
            AnonymousAnswer.objects.filter(
                overlap,
                round__status=EvaluationRound.Status.CLOSED,
                **{f"{path}__in": partners},
            )
            .values(path, "round_id")
            .annotate(n=Count("pk"), total=Sum("total"))
            .order_by()
        ):
            if row["n"] >= minimum:
                slot = result[row[path]]
                slot["anonymous_count"] += row["n"]
                slot["anonymous_sum"] += row["total"] or Decimal(0)
    return result


def _responsibility_inputs(partners: QuerySet[Any]) -> dict[int, dict[str, Any]]:
    open_finding = Finding.objects.filter(
        rule=RESPONSIBILITY_RULE,
        status__in=Finding.ACTIVE,
        subject_type=ContentType.objects.get_for_model(PartnerResponsibility),
        subject_id=OuterRef("pk"),
    )
    rows = (
        PartnerResponsibility.objects.filter(
            partner__is_active=True, partner__organization__in=partners
        )
        .values("partner__organization_id")
        .annotate(held=Count("pk"), unfulfilled=Count("pk", filter=Q(Exists(open_finding))))
        .order_by()
    )
    return _grouped(rows, "partner__organization_id", held="held", unfulfilled="unfulfilled")


def _finding_inputs(run: PartnerScoreRun, partners: QuerySet[Any]) -> dict[int, dict[str, Any]]:
    rows = (
        Finding.objects.filter(
            organization__in=partners,
            status__in=Finding.ACTIVE,
            severity__in=list(formula.PENALTIES),
            first_seen_at__date__lte=run.period_end,
        )
        .values("organization_id")
        .annotate(
            major=Count("pk", filter=Q(severity="major")),
            critical=Count("pk", filter=Q(severity="critical")),
        )
        .order_by()
    )
    return _grouped(rows, "organization_id", major="major", critical="critical")


def _fund_inputs(run: PartnerScoreRun, partners: QuerySet[Any]) -> dict[int, dict[str, Any]]:
    fund_findings = Finding.objects.filter(rule__startswith=FUND_RULES).exclude(
        status=Finding.Status.DISMISSED
    )
    about_expenditure = fund_findings.filter(
        subject_type=ContentType.objects.get_for_model(Expenditure), subject_id=OuterRef("pk")
    )
    about_line = fund_findings.filter(
        subject_type=ContentType.objects.get_for_model(BudgetLine),
        subject_id=OuterRef("line_id"),
    )
    rows = (
        Expenditure.objects.filter(
            line__holder__in=partners, spent_on__range=(run.period_start, run.period_end)
        )
        .exclude(status=Expenditure.Status.REJECTED)
        .values("line__holder_id")
        .annotate(
            n=Count("pk"),
            flagged=Count("pk", filter=Q(Exists(about_expenditure)) | Q(Exists(about_line))),
        )
        .order_by()
    )
    return _grouped(rows, "line__holder_id", expenditures="n", flagged="flagged")


def _reward_inputs(run: PartnerScoreRun, partners: QuerySet[Any]) -> dict[int, Decimal]:
    rows = (
        RewardEntry.objects.filter(
            organization__in=partners, earned_on__range=(run.period_start, run.period_end)
        )
        .values("organization_id")
        .annotate(points=Sum("points"))
        .order_by()
    )
    return {row["organization_id"]: row["points"] or Decimal(0) for row in rows}


def gather_inputs(
    run: PartnerScoreRun, progress: Progress | None = None
) -> dict[int, dict[str, Any]]:
    """The raw numbers of every partner's components ({organisation id: inputs}), read with a
    fixed number of queries; also the organisations' kind and name under "_kind", "_name"."""
    say = progress or (lambda done, message: None)
    partners = partner_organizations().values("pk")
    organizations = list(partner_organizations().values("pk", "kind", "name").order_by("pk"))
    say(1, text("scores.reading_evaluations"))
    evaluations = _evaluation_inputs(run, partners)
    say(2, text("scores.reading_responsibilities"))
    responsibilities = _responsibility_inputs(partners)
    say(3, text("scores.reading_findings"))
    findings = _finding_inputs(run, partners)
    say(4, text("scores.reading_expenditures"))
    funds = _fund_inputs(run, partners)
    say(5, text("scores.reading_points"))
    rewards = _reward_inputs(run, partners)
    best: dict[str, Decimal] = defaultdict(Decimal)
    for org in organizations:
        best[org["kind"]] = max(best[org["kind"]], rewards.get(org["pk"], Decimal(0)))
    result: dict[int, dict[str, Any]] = {}
    for org in organizations:
        pk = org["pk"]
        ev = evaluations.get(pk) or {
            "named_count": 0,
            "named_sum": Decimal(0),
            "anonymous_count": 0,
            "anonymous_sum": Decimal(0),
        }
        result[pk] = {
            "_kind": org["kind"],
            "_name": org["name"],
            "evaluations": {
                "named_count": ev["named_count"],
                "named_sum": str(ev["named_sum"]),
                "anonymous_count": ev["anonymous_count"],
                "anonymous_sum": str(ev["anonymous_sum"]),
            },
            "responsibilities": responsibilities.get(pk, {"held": 0, "unfulfilled": 0}),
            "findings": findings.get(pk, {"major": 0, "critical": 0}),
            "funds": funds.get(pk, {"expenditures": 0, "flagged": 0}),
            "rewards": {
                "points": str(rewards.get(pk, Decimal(0))),
                "best_of_kind": str(best[org["kind"]]),
            },
        }
    return result


def bottom_count(size: int, share: Decimal) -> int:
    """How many of a kind's `size` partners are in its bottom `share` percent: rounded down,
    but at least one when the kind has three or more."""
    count = int((Decimal(size) * share / 100).to_integral_value(rounding=ROUND_FLOOR))
    if size >= 3:
        count = max(count, 1)
    return min(count, size)


def compute_scores(run: PartnerScoreRun, *, progress: Progress | None = None) -> int:
    """Compute and store every partner's score of the run, once (a finished run is left as
    it is). Returns how many scores the run has."""
    if run.finished_at is not None:
        return run.scores.count()
    inputs = gather_inputs(run, progress)
    if progress:
        progress(6, text("scores.ranking"))
    previous = previous_run(run)
    was_bottom = (
        set(previous.scores.filter(in_bottom_share=True).values_list("organization_id", flat=True))
        if previous
        else set()
    )
    by_kind: dict[str, list[PartnerScore]] = defaultdict(list)
    names: dict[int, str] = {}
    for pk, data in inputs.items():
        kind, names[pk] = data.pop("_kind"), data.pop("_name")
        components = formula.components_from_inputs(data)
        by_kind[kind].append(
            PartnerScore(
                run=run,
                organization_id=pk,
                kind=kind,
                inputs=data,
                components={key: str(value) for key, value in components.items()},
                score=formula.score_from_inputs(data, run.weights),
                rank=0,
            )
        )
    threshold, share = Decimal(run.threshold), Decimal(run.bottom_share)
    scores: list[PartnerScore] = []
    for rows in by_kind.values():
        rows.sort(key=lambda s: (-s.score, names[s.organization_id], s.organization_id))
        for index, row in enumerate(rows):
            same = index and row.score == rows[index - 1].score
            row.rank = rows[index - 1].rank if same else index + 1
        bottom = bottom_count(len(rows), share)
        if bottom:
            # Partners tied with the last one in the bottom share are in it too: equal scores
            # are never told apart by their names.
            cut = rows[len(rows) - bottom].score
            for row in rows:
                row.in_bottom_share = row.score <= cut
        for row in rows:
            if row.score < threshold:
                row.recommendation = PartnerScore.Recommendation.BELOW_THRESHOLD
            elif row.in_bottom_share and row.organization_id in was_bottom:
                row.recommendation = PartnerScore.Recommendation.BOTTOM_TWICE
        scores.extend(rows)
    with transaction.atomic():
        locked = PartnerScoreRun.objects.select_for_update().get(pk=run.pk)
        if locked.finished_at is not None:
            return locked.scores.count()
        PartnerScore.objects.bulk_create(scores, batch_size=1000)
        run.finished_at = timezone.now()
        PartnerScoreRun.objects.filter(pk=run.pk).update(finished_at=run.finished_at)
    if progress:
        progress(STAGES, text("job.done"))
    return len(scores)


# ---- Decisions -----------------------------------------------------------------------------


@transaction.atomic
def decide_probation(
    *, user: User, score: PartnerScore, decision: str, reason: str
) -> ProbationDecision:
    """Decide on a probation recommendation, once, with a reason; the organisation's status
    changes accordingly (its status history records the change and the reason)."""
    if not permissions.can_decide(user, score):
        raise PermissionDenied
    locked = (
        PartnerScore.objects.select_for_update().select_related("organization").get(pk=score.pk)
    )
    reason = (reason or "").strip()
    errors: dict[str, list[str]] = {}
    if decision not in ProbationDecision.Decision.values:
        errors["decision"] = [_("Choose a decision.")]
    if not reason:
        errors["reason"] = [_("Say why you decide so.")]
    if not locked.recommendation:
        errors["decision"] = [_("This partner is not recommended for probation in this period.")]
    elif ProbationDecision.objects.filter(score=locked).exists():
        errors["decision"] = [_("A decision has already been taken on this recommendation.")]
    if errors:
        raise ValidationError(errors)
    to_status = DECISION_STATUS[decision]
    if to_status is not None:
        try:
            change_organization_status(
                user=user, organization=locked.organization, to_status=to_status, reason=reason
            )
        except ValidationError as exc:
            messages = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
            field_errors = {
                ("decision" if name == "to_status" else name or "decision"): value
                for name, value in messages.items()
            }
            raise ValidationError(field_errors) from exc
    return ProbationDecision.objects.create(
        score=locked, decision=decision, reason=reason, decided_by=user
    )


def recommendations(user: Any) -> QuerySet[PartnerScore]:
    """The recommended scores `user` sees, undecided first, latest period first."""
    return (
        PartnerScore.objects.visible_to(user)
        .exclude(recommendation="")
        .select_related("run", "organization", "decision", "decision__decided_by")
        .annotate(
            undecided=ExpressionWrapper(Q(decision__isnull=True), output_field=BooleanField())
        )
        .order_by("-undecided", "-run__period_end", "-run__pk", "kind", "rank")
    )


def undecided_count(user: Any) -> int:
    return (
        PartnerScore.objects.visible_to(user)
        .exclude(recommendation="")
        .filter(decision__isnull=True)
        .count()
    )
