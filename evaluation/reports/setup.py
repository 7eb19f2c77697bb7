"""What reports registers when the app is ready: the job kind and its Celery task, the
navigation entry, and the link to a program's dashboard on the program's page. Called once
from `EvaluationConfig.ready()`; calling it again changes nothing."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

_registered: list[bool] = []


def register() -> None:
    """Called from `EvaluationConfig.ready()`."""
    if _registered:
        return
    _registered.append(True)

    from programs.extensions import register_program_section
    from training_portal.core.jobs import register_job_kind
    from training_portal.core.navigation import EVALUATION_MENU, register_nav

    from . import permissions, services
    from . import tasks as _tasks  # noqa: F401  (the task registers with Celery)

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
