"""What funds plug into the portal."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from training_portal.core.attention import register_attention
from training_portal.core.navigation import TRAINING_MENU, register_nav

from .attention import funds_attention
from .permissions import sees_funds


def register() -> None:
    register_nav(_("Funds"), "programs:budget-line-list", sees_funds, menu=TRAINING_MENU)
    register_attention(funds_attention)
