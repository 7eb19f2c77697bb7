from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    """Audit rules and runs, findings, inspections, publication, originality screening."""

    name = "supervision"
    verbose_name = _("Supervision")
