from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from training_portal.core.history import register_history, register_history_reader
        from training_portal.core.jobs import register_job_kind
        from training_portal.core.navigation import ADMINISTRATION_MENU, register_nav

        from . import permissions, tasks  # noqa: F401 -- registers the Celery tasks
        from .imports import USERS
        from .models import RoleMembership, User

        register_job_kind(USERS.kind, task_name="accounts.user_import", label=USERS.label)
        register_nav(
            _("Users"), "accounts:user-list", permissions.can_manage_users, menu=ADMINISTRATION_MENU
        )
        register_nav(
            _("Import users"),
            "accounts:user-import",
            permissions.can_import_users,
            menu=ADMINISTRATION_MENU,
        )
        # Portal administrators read the history of every record; an account's page lists the
        # changes of the account and of its roles.
        register_history_reader(permissions.is_portal_admin)
        register_history(
            User,
            subject=_("Account"),
            phrases={
                "insert": _("Account created"),
                "update": _("Account changed"),
                "delete": _("Account deleted"),
            },
        )
        register_history(
            RoleMembership,
            subject=_("Role"),
            phrases={
                "insert": _("Role granted"),
                "update": _("Role changed"),
                "delete": _("Role removed"),
            },
        )
