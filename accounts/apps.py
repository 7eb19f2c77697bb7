from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from training_portal.core.registry import register_features


class AccountsConfig(AppConfig):
    """Users and their roles, sign-in, the bulk import of users, the home page."""

    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        # accounts is one feature: its hooks are at the app's root (accounts/hooks.py).
        register_features(self, "")
