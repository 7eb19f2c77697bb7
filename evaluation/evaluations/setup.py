"""What evaluations registers when the app is ready: the navigation entry, the home-page item
"Evaluations you owe", the links on a program's page (its indicators; opening a round), the
audit rule `evaluation_overdue`, and the Celery tasks. Calling it again changes nothing."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

_registered: list[bool] = []


def register() -> None:
    """Called from `EvaluationConfig.ready()`."""
    if _registered:
        return
    _registered.append(True)

    from programs.extensions import register_program_section
    from supervision.rules import register as register_rule
    from training_portal.core.attention import register_attention
    from training_portal.core.navigation import EVALUATION_MENU, register_nav

    from . import permissions, tasks, views  # noqa: F401  (tasks: known to the worker)
    from .rules import RULE

    register_nav(
        _("Evaluations"), "evaluations:mine", permissions.sees_evaluations, menu=EVALUATION_MENU
    )

    def sees_program(user: Any, program: Any) -> bool:
        # The indicators page and the rounds read from `Program.objects.visible_to(user)`
        # and `EvaluationRound.objects.visible_to(user)`, which follow the program: whoever
        # is shown the program's page may open its quality assessment and its rounds.
        return True

    register_program_section(_("Quality assessment"), "evaluations:indicators", sees_program)
    register_program_section(
        _("Evaluation rounds"), "evaluations:round-list", sees_program, query_param="program"
    )
    register_program_section(
        _("Open an evaluation round"), "evaluations:round-create", permissions.can_open_round
    )
    register_attention(views.owed_attention)
    register_rule(RULE)
