"""What internal supervision registers with the portal: navigation entries, the students'
home-page item, and who reads a review meeting's history. Called once, through
`core.registry.register_features`."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _


def register() -> None:
    from programs.scopes import administers
    from training_portal.core.attention import register_attention
    from training_portal.core.history import register_history
    from training_portal.core.navigation import SUPERVISION_MENU, register_menu

    from ..models import ReviewMeeting
    from . import permissions, views

    register_menu(
        SUPERVISION_MENU,
        (_("Review meetings"), "internal-supervision:meeting-list", permissions.sees_meetings),
        (_("Rate my supervision"), "internal-supervision:rating", permissions.rates_supervision),
        (
            _("Supervision ratings"),
            "internal-supervision:rating-aggregates",
            permissions.sees_rating_aggregates,
        ),
    )
    register_attention(views.rating_due_attention)

    def meeting_history_allowed(user: Any, meeting: Any) -> bool:
        return administers(user, meeting.program)

    register_history(
        ReviewMeeting,
        allowed=meeting_history_allowed,
        url="internal-supervision:meeting-detail",
    )
