"""What internal supervision registers with the portal: navigation entries, the students'
home-page item, and who reads a review meeting's history. Called once, through
`core.registry.register_features`."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def register() -> None:
    from programs.scopes import administers
    from training_portal.core.attention import register_attention
    from training_portal.core.history import register_history
    from training_portal.core.navigation import SUPERVISION_MENU, register_nav

    from ..models import ReviewMeeting
    from . import permissions, views

    register_nav(
        _("Review meetings"),
        "internal-supervision:meeting-list",
        permissions.sees_meetings,
        menu=SUPERVISION_MENU,
    )
    register_nav(
        _("Rate my supervision"),
        "internal-supervision:rating",
        permissions.rates_supervision,
        menu=SUPERVISION_MENU,
    )
    register_nav(
        _("Supervision ratings"),
        "internal-supervision:rating-aggregates",
        permissions.sees_rating_aggregates,
        menu=SUPERVISION_MENU,
    )
    register_attention(views.rating_due_attention)

    def meeting_history_allowed(user: Any, meeting: Any) -> bool:
        return administers(user, meeting.program)

    register_history(
        ReviewMeeting,
        allowed=meeting_history_allowed,
        url=lambda meeting: reverse("internal-supervision:meeting-detail", args=[meeting.pk]),
    )
