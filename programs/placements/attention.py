"""Placements waiting on their host's coordinator."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from training_portal.core.attention import AttentionItem

from ..people.permissions import holds_any
from .services import placements_to_confirm


def placements_awaiting_confirmation(user: Any) -> list[AttentionItem]:
    if not holds_any(user, Role.PARTNER_COORDINATOR):
        return []
    return [
        AttentionItem(
            _("Placements to confirm"),
            placements_to_confirm(user).count(),
            reverse("programs:placements-to-confirm"),
            "warning",
        )
    ]
