from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from training_portal.core.registry import register_features


class SupervisionConfig(AppConfig):
    """Audit rules and runs, findings, internal supervision, inspections and publication."""

    name = "supervision"
    verbose_name = _("Supervision")

    def ready(self) -> None:
        register_features(self, "audits", "findings", "internal", "inspections")
