from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """Cross-cutting pieces that belong to no domain app: jobs, notifications, history, health,
    the home page's registries and the shared kit (forms, tables, API bases)."""

    name = "training_portal.core"
    label = "core"
    verbose_name = _("Portal core")

    def ready(self) -> None:
        from . import checks, tasks  # noqa: F401 -- registers the system checks, Celery tasks
        from .navigation import ADMINISTRATION_MENU, HOME_LABEL, register_nav
        from .permissions import is_signed_in
        from .plain_messages import install as install_plain_messages

        install_plain_messages()
        register_nav(HOME_LABEL, "core:home", is_signed_in)
        # Jobs and the API's documentation are in the user's menu (templates/includes/navbar).
        register_nav(
            _("Admin site"), "admin:index", lambda user: user.is_staff, menu=ADMINISTRATION_MENU
        )
