from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from training_portal.core.jobs import register_job_kind
        from training_portal.core.navigation import ADMINISTRATION_MENU, register_nav

        from . import permissions, tasks  # noqa: F401 -- registers the Celery tasks
        from .services import USER_IMPORT

        register_job_kind(USER_IMPORT, task_name="accounts.user_import", label=_("User import"))
        register_nav(
            _("Users"), "accounts:user-list", permissions.can_manage_users, menu=ADMINISTRATION_MENU
        )
        register_nav(
            _("Import users"),
            "accounts:user-import",
            permissions.can_import_users,
            menu=ADMINISTRATION_MENU,
        )
