"""The findings' items on the home page: those assigned to the user, and the serious ones of
the programs a program administrator runs."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy

from programs.scopes import administered_program_ids
from training_portal.core.attention import AttentionItem

from ..models import Finding
from ..models.audit import SERIOUS
from . import permissions


def assigned_findings_attention(user: Any) -> list[AttentionItem]:
    """Findings needing work that are assigned to the user (one query)."""
    if not permissions.sees_findings(user):
        return []
    count = Finding.objects.active().filter(assignee=user).count()
    return [
        AttentionItem(
            gettext_lazy("Findings assigned to you"),
            count,
            reverse("supervision:finding-list") + "?mine=on",
            "warning",
        )
    ]


def serious_findings_attention(user: Any) -> list[AttentionItem]:
    """Critical and major findings needing work in the programs the user administers."""
    if not permissions.sees_serious_findings(user):
        return []
    count = (
        Finding.objects.active()
        .filter(program__in=administered_program_ids(user), severity__in=SERIOUS)
        .count()
    )
    query = "&".join(f"severity={severity.value}" for severity in SERIOUS)
    return [
        AttentionItem(
            gettext_lazy("Critical and major findings open"),
            count,
            f"{reverse('supervision:finding-list')}?{query}",
            "danger",
        )
    ]
