"""Home-page attention of partner performance: recommendations waiting for a decision."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy

from training_portal.core.attention import AttentionItem

from . import permissions, services

RECOMMENDATIONS_DUE = gettext_lazy("Decide on probation recommendations")


def recommendations_attention(user: Any) -> list[AttentionItem]:
    """Home-page item for portal administrators while recommendations wait for a decision
    (one query, none for anyone else)."""
    if not permissions.can_decide(user):
        return []
    count = services.undecided_count(user)
    if not count:
        return []
    return [
        AttentionItem(
            label=RECOMMENDATIONS_DUE,
            count=count,
            url=reverse("partner_scores:recommendations"),
            level="warning",
        )
    ]
