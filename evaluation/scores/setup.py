"""What scores registers when the app is ready: the navigation entries, the portal
administrators' home-page item, the job kind of a run and its Celery task. Calling it again
changes nothing."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

_registered: list[bool] = []


def register() -> None:
    """Called from `EvaluationConfig.ready()`."""
    if _registered:
        return
    _registered.append(True)

    from training_portal.core.attention import register_attention
    from training_portal.core.history import register_history
    from training_portal.core.jobs import register_job_kind
    from training_portal.core.navigation import EVALUATION_MENU, register_nav

    from ..models import PartnerScoreRun, ProbationDecision
    from . import permissions, services, tasks, views

    register_nav(
        _("Partner performance"),
        "partner_scores:ranking",
        permissions.sees_scores,
        menu=EVALUATION_MENU,
    )
    register_nav(
        _("Partner performance"),
        "partner_scores:formula",
        permissions.sees_formula_only,
        menu=EVALUATION_MENU,
    )
    register_attention(views.recommendations_attention)
    register_job_kind(
        services.JOB_KIND,
        task_name=tasks.compute_partner_scores.name,
        label=_("Partner performance scores"),
    )

    def portal_admins_only(user: Any, obj: Any) -> bool:
        return False

    register_history(PartnerScoreRun, allowed=portal_admins_only)
    register_history(ProbationDecision, allowed=portal_admins_only)
