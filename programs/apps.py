from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from training_portal.core.registry import register_features


class ProgramsConfig(AppConfig):
    """Partners, programs, curriculum, people, plans, placements, projects, logs, funds."""

    name = "programs"
    verbose_name = _("Programs")

    def ready(self) -> None:
        # The order is the order of the menus, the home page's attention and summaries.
        register_features(
            self,
            "design",
            "partners",
            "people",
            "funds",
            "training",
            "placements",
            "projects",
            "records",
            "imports",
        )
