"""Demo data of partner performance: one period of scores, computed synchronously, with at
least one partner recommended for probation. Idempotent: the period is scored once.

The demo period's threshold is the default, raised when needed to just above the weakest
partner's score (rounded up to a whole number), so that the probation workflow can be tried
on the demo data; the run stores the threshold it used, like any run.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_FLOOR, Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from training_portal.core.models import Job

from ..models import PartnerScoreRun
from . import formula, services

DEMO_LABEL_PREFIX = "Demo "


@transaction.atomic
def seed_scores_demo(user: User) -> PartnerScoreRun:
    """Score the last twelve months for every partner (as `user`, a portal administrator)."""
    today = timezone.localdate()
    label = f"{DEMO_LABEL_PREFIX}{today.year}"
    existing = PartnerScoreRun.objects.filter(label=label).first()
    if existing is not None:
        return existing
    start = today - dt.timedelta(days=364)
    probe = PartnerScoreRun(period_start=start, period_end=today, weights={})
    weights = formula.clean_weights(None)
    lowest = min(
        (
            formula.score_from_inputs(inputs, weights)
            for inputs in services.gather_inputs(probe).values()
        ),
        default=formula.DEFAULT_THRESHOLD,
    )
    threshold = min(
        Decimal(100),
        max(formula.DEFAULT_THRESHOLD, lowest.to_integral_value(rounding=ROUND_FLOOR) + 1),
    )
    now = timezone.now()
    job = Job.objects.create(
        kind=services.JOB_KIND,
        owner=user,
        status=Job.Status.SUCCEEDED,
        progress_done=services.STAGES,
        progress_total=services.STAGES,
        message="Demo scores computed synchronously.",
        started_at=now,
        finished_at=now,
        heartbeat_at=now,
        attempts=1,
    )
    run = PartnerScoreRun.objects.create(
        label=label,
        period_start=start,
        period_end=today,
        weights=weights,
        threshold=threshold,
        bottom_share=formula.DEFAULT_BOTTOM_SHARE,
        job=job,
        started_by=user,
    )
    services.compute_scores(run)
    return run
