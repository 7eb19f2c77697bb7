"""What evaluations registers when the app is ready: the navigation entry, the home-page item
"Evaluations you owe", the audit rule `evaluation_overdue`, and the Celery tasks. Calling it
again changes nothing."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

_registered: list[bool] = []


def register() -> None:
    """Called from `EvaluationConfig.ready()`."""
    if _registered:
        return
    _registered.append(True)

    from supervision.rules import register as register_rule
    from training_portal.core.attention import register_attention
    from training_portal.core.navigation import register_nav

    from . import permissions, tasks, views  # noqa: F401  (tasks: known to the worker)
    from .rules import RULE

    register_nav(_("Evaluations"), "evaluations:mine", permissions.sees_evaluations)
    register_attention(views.owed_attention)
    register_rule(RULE)
