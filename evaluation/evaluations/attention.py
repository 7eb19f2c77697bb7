"""Home-page attention of evaluations: the evaluations a user owes in open rounds."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from training_portal.core.attention import AttentionItem

from ..models import EvaluationRequest, EvaluationRound

OWED = gettext_lazy("Evaluations you owe")


def owed_attention(user: Any) -> list[AttentionItem]:
    """Home-page item: the evaluations `user` owes in open rounds (one query)."""
    if not getattr(user, "is_authenticated", False):
        return []
    counts = (
        EvaluationRequest.objects.pending()
        .filter(evaluator=user, round__status=EvaluationRound.Status.OPEN)
        .aggregate(
            owed=Count("pk"), late=Count("pk", filter=Q(round__deadline__lt=timezone.localdate()))
        )
    )
    if not counts["owed"]:
        return []
    return [
        AttentionItem(
            label=OWED,
            count=counts["owed"],
            url=reverse("evaluations:mine"),
            level="danger" if counts["late"] else "primary",
        )
    ]
