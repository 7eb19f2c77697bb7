"""Partner performance: scores per period computed by a background job, the ranking per
organisation kind, probation recommendations and the administrator's decisions."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from programs.models import Organization
from programs.models.organizations import OrganizationKind
from training_portal.core.history import tracked
from training_portal.core.model_fields import (
    check,
    in_range,
    moment_field,
    now_field,
    period_order_check,
    ref,
    unique,
    user_ref,
)
from training_portal.core.models import Job

from ..choices import PartnerScoreRecommendation, ProbationOutcome


@tracked()
class PartnerScoreRun(models.Model):
    """One period's computation: the period, the formula's weights and thresholds as used
    (so that every score can be recomputed from what is stored), and its job."""

    label = models.CharField(_("period"), max_length=40)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    weights = models.JSONField(_("weights"))
    threshold = models.DecimalField(_("probation threshold"), max_digits=5, decimal_places=2)
    bottom_share = models.DecimalField(_("bottom share (%)"), max_digits=5, decimal_places=2)
    job = models.OneToOneField(
        Job, on_delete=models.PROTECT, related_name="partner_score_run", verbose_name=_("job")
    )
    started_by = user_ref(_("started by"), null=True)
    created_at = now_field(_("created at"))
    finished_at = moment_field(_("finished at"))

    class Meta:
        verbose_name = _("partner score run")
        verbose_name_plural = _("partner score runs")
        ordering = ["-period_end", "-pk"]
        constraints = [period_order_check("evaluation_score_run_period_order")]

    def __str__(self) -> str:
        return self.label


class PartnerScoreQuerySet(models.QuerySet["PartnerScore"]):
    def visible_to(self, user: Any) -> PartnerScoreQuerySet:
        from ..scores.permissions import score_filter

        return self.filter(score_filter(user))


class PartnerScore(models.Model):
    """A partner's score for a period: the inputs as read, each component (0-100), the
    weighted score, its rank among the organisations of its kind, and whether it is
    recommended for probation (and why)."""

    Recommendation = PartnerScoreRecommendation

    run = models.ForeignKey(
        PartnerScoreRun, on_delete=models.CASCADE, related_name="scores", verbose_name=_("run")
    )
    organization = ref(Organization, _("organisation"), related_name="partner_scores")
    kind = models.CharField(_("kind"), max_length=32, choices=OrganizationKind.choices)
    inputs = models.JSONField(_("inputs"))
    components = models.JSONField(_("components"))
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2)
    rank = models.PositiveIntegerField(_("rank in kind"))
    in_bottom_share = models.BooleanField(_("in the bottom share"), default=False)
    recommendation = models.CharField(
        _("recommendation"), max_length=16, choices=Recommendation.choices, blank=True
    )

    objects = PartnerScoreQuerySet.as_manager()

    class Meta:
        verbose_name = _("partner score")
        verbose_name_plural = _("partner scores")
        ordering = ["run", "kind", "rank"]
        constraints = [
            unique(["run", "organization"], "evaluation_partner_score_once"),
            check(in_range("score", 0, 100), "evaluation_partner_score_range"),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id}: {self.score}"


@tracked()
class ProbationDecision(models.Model):
    """A portal administrator's decision on a recommendation, with a reason; the
    organisation's status history records the change it makes."""

    Decision = ProbationOutcome

    score = models.OneToOneField(
        PartnerScore,
        on_delete=models.PROTECT,
        related_name="decision",
        verbose_name=_("partner score"),
    )
    decision = models.CharField(_("decision"), max_length=24, choices=Decision.choices)
    reason = models.TextField(_("reason"))
    decided_by = user_ref(_("decided by"))
    decided_at = now_field(_("decided at"))

    class Meta:
        verbose_name = _("probation decision")
        verbose_name_plural = _("probation decisions")
        constraints = [
            check(
                ~Q(reason=""),
                "evaluation_decision_reason_required",
                _("A decision needs a reason."),
            )
        ]

    def __str__(self) -> str:
        return self.decision
