from importlib.util import find_spec

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    """Audit rules and runs, findings, internal supervision, inspections and publication."""

    name = "supervision"
    verbose_name = _("Supervision")

    def ready(self) -> None:
        from training_portal.core.registry import register_features

        register_features(self, "audits", "findings", "internal", "inspections")
        # Transitional, for the merge with helper supinsp's branch (which renames
        # inspections/setup.py to inspections/hooks.py): remove this block then.
        if find_spec("supervision.inspections.hooks") is None:
            from .inspections import setup as inspections_setup
            from .inspections import tasks as inspection_tasks  # noqa: F401  (Celery tasks)

            inspections_setup.register()
