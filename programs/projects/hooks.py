"""What projects plug into the portal."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from training_portal.core.attention import register_attention
from training_portal.core.navigation import TRAINING_MENU, register_nav

from .attention import project_proposals_to_decide
from .permissions import sees_projects


def register() -> None:
    register_nav(_("Projects"), "programs:project-list", sees_projects, menu=TRAINING_MENU)
    register_attention(project_proposals_to_decide)
