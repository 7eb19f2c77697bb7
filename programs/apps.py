from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgramsConfig(AppConfig):
    """Partners, programs, curriculum, people, plans, placements, projects, logs, funds."""

    name = "programs"
    verbose_name = _("Programs")
