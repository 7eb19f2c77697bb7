"""What ledger registers when the app is ready: the navigation entry, the awards written
when a project is completed, and who reads the history of a program's points per size.
Calling it again changes nothing."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

_registered: list[bool] = []


def register() -> None:
    """Called from `EvaluationConfig.ready()`."""
    if _registered:
        return
    _registered.append(True)

    from programs.projects.services import on_project_completed
    from programs.scopes import administers
    from training_portal.core.history import register_history
    from training_portal.core.navigation import EVALUATION_MENU, register_nav

    from ..models import RewardRule
    from . import permissions, services

    register_nav(_("Ledger"), "ledger:entry-list", permissions.sees_ledger, menu=EVALUATION_MENU)
    on_project_completed(services.award_completed_project)

    def rule_history_allowed(user: Any, rule: Any) -> bool:
        return administers(user, rule.program)

    register_history(RewardRule, allowed=rule_history_allowed)
