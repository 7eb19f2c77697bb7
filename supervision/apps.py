from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    """Audit rules and runs, findings, inspections, publication, originality screening."""

    name = "supervision"
    verbose_name = _("Supervision")

    def ready(self) -> None:
        from training_portal.core.jobs import register_job_kind

        from . import audit, tasks  # noqa: F401  (the tasks register with Celery)
        from .rules.catalogue import register_catalogue

        register_catalogue()
        register_job_kind(audit.JOB_KIND, task_name="supervision.run_audit", label=audit.JOB_LABEL)
