"""What accounts plug into the portal: the user import's job kind and Celery tasks, the
administration menu's entries, who reads the history (portal administrators read every
record's; an account's page lists the changes of the account and of its roles), and the demo
accounts (order 100: every other piece of the demo builds on them)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


def register() -> None:
    """Called once from `AccountsConfig.ready()` (`core.registry.register_features`)."""
    from training_portal.core.history import (
        history_phrases,
        register_history,
        register_history_reader,
    )
    from training_portal.core.jobs import register_job_kind
    from training_portal.core.navigation import ADMINISTRATION_MENU, register_nav
    from training_portal.core.registry import register_demo_seeder

    from . import permissions, tasks  # noqa: F401 -- the worker knows the tasks
    from .demo import seed_accounts
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
    register_history_reader(permissions.is_portal_admin)
    register_history(
        User,
        subject=_("Account"),
        phrases=history_phrases(_("Account created"), _("Account changed"), _("Account deleted")),
    )
    register_history(
        RoleMembership,
        subject=_("Role"),
        phrases=history_phrases(_("Role granted"), _("Role changed"), _("Role removed")),
    )
    register_demo_seeder(100, "accounts", seed_accounts)
