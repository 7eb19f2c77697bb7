"""What the findings plug into the portal: the navigation entry, the home page's items, and
who reads a finding's history (portal administrators, and program administrators of its
program)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _


def register() -> None:
    from programs.records.permissions import administers_program_id
    from training_portal.core.attention import register_attention
    from training_portal.core.history import register_history
    from training_portal.core.navigation import SUPERVISION_MENU, register_nav

    from ..models import Finding
    from . import attention, permissions

    register_nav(
        _("Findings"), "supervision:finding-list", permissions.sees_findings, menu=SUPERVISION_MENU
    )
    register_attention(attention.assigned_findings_attention)
    register_attention(attention.serious_findings_attention)

    def of_program(user: Any, finding: Any) -> bool:
        return administers_program_id(user, finding.program_id)

    register_history(Finding, allowed=of_program, url="supervision:finding-detail")
