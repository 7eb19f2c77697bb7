"""What placements plug into the portal."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from training_portal.core.attention import register_attention
from training_portal.core.navigation import register_nav

from .attention import placements_awaiting_confirmation
from .permissions import is_coordinator


def register() -> None:
    register_nav(_("Placements to confirm"), "programs:placements-to-confirm", is_coordinator)
    register_attention(placements_awaiting_confirmation)
