"""What ledger plugs in: the navigation entry, the awards written when a project is
completed, and who reads the history of a program's points per size."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


def register() -> None:
    """Called once from `EvaluationConfig.ready()` (`core.registry.register_features`)."""
    from programs.projects.services import on_project_completed
    from training_portal.core.history import register_history
    from training_portal.core.navigation import EVALUATION_MENU, register_nav

    from ..models import RewardRule
    from . import permissions, services

    register_nav(_("Ledger"), "ledger:entry-list", permissions.sees_ledger, menu=EVALUATION_MENU)
    on_project_completed(services.award_completed_project)
    register_history(RewardRule, allowed=permissions.reads_rule_history)
