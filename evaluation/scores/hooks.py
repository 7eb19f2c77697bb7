"""What scores plugs in: the navigation entries, the portal administrators' home-page item,
the job kind of a run and its Celery task, and who reads the history of runs and decisions."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


def register() -> None:
    """Called once from `EvaluationConfig.ready()` (`core.registry.register_features`)."""
    from training_portal.core.attention import register_attention
    from training_portal.core.history import register_history
    from training_portal.core.jobs import register_job_kind
    from training_portal.core.navigation import EVALUATION_MENU, register_menu

    from ..models import PartnerScoreRun, ProbationDecision
    from . import attention, permissions, services, tasks

    register_menu(
        EVALUATION_MENU,
        (_("Partner performance"), "partner_scores:ranking", permissions.sees_scores),
        (_("Partner performance"), "partner_scores:formula", permissions.sees_formula_only),
    )
    register_attention(attention.recommendations_attention)
    register_job_kind(
        services.JOB_KIND,
        task_name=tasks.compute_partner_scores.name,
        label=_("Partner performance scores"),
    )
    register_history(PartnerScoreRun, allowed=permissions.reads_history)
    register_history(ProbationDecision, allowed=permissions.reads_history)
