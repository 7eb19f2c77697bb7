"""What reports plugs in: the job kind and its Celery task, the navigation entry, and the
link to a program's dashboard on the program's page."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


def register() -> None:
    """Called once from `EvaluationConfig.ready()` (`core.registry.register_features`)."""
    from programs.extensions import register_program_section
    from training_portal.core.jobs import register_job_kind
    from training_portal.core.navigation import EVALUATION_MENU, register_nav

    from . import (
        permissions,
        services,
        tasks,  # noqa: F401  (the task registers with Celery)
    )

    register_job_kind(
        services.JOB_KIND,
        task_name=services.JOB_TASK,
        label=services.JOB_LABEL,
        result_link=services.report_link,
    )
    register_nav(
        _("Reports"), "reports:report-list", permissions.sees_reports, menu=EVALUATION_MENU
    )
    register_program_section(
        _("Dashboard"), "reports:program-dashboard", permissions.can_see_program_reports
    )
