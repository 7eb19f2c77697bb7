"""What evaluations plugs in: the navigation entry, the home-page item "Evaluations you owe",
the links on a program's page (its indicators; opening a round), the audit rule
`evaluation_overdue`, the Celery tasks, and the evaluation app's demo (order 400: indicators
and rounds, the ledger, partner scores and reports, in the order they depend on one another)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


def register() -> None:
    """Called once from `EvaluationConfig.ready()` (`core.registry.register_features`)."""
    from programs.extensions import register_program_section
    from supervision.rules import register as register_rule
    from training_portal.core.attention import register_attention
    from training_portal.core.navigation import EVALUATION_MENU, register_nav
    from training_portal.core.registry import register_demo_seeder

    from ..demo import seed_evaluation_app_demo
    from . import (
        attention,
        permissions,
        tasks,  # noqa: F401  (known to the worker)
    )
    from .rules import RULE

    register_nav(
        _("Evaluations"), "evaluations:mine", permissions.sees_evaluations, menu=EVALUATION_MENU
    )
    register_program_section(
        _("Quality assessment"), "evaluations:indicators", permissions.sees_program
    )
    register_program_section(
        _("Evaluation rounds"),
        "evaluations:round-list",
        permissions.sees_program,
        query_param="program",
    )
    register_program_section(
        _("Open an evaluation round"), "evaluations:round-create", permissions.can_open_round
    )
    register_attention(attention.owed_attention)
    register_rule(RULE)
    register_demo_seeder(400, "evaluation", seed_evaluation_app_demo)
