"""The funds item of the home dashboard: expenditures waiting for the user's decision."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.permissions import is_portal_admin
from training_portal.core.attention import AttentionItem

from ..models import Expenditure
from ..scopes import administered_program_ids

__all__ = ["funds_attention"]


def funds_attention(user: Any) -> list[AttentionItem]:
    """How many submitted expenditures the user may decide on, their own left out: one query.

    `permissions.can_decide_expenditure` in SQL (administrators of the line's program, portal
    administrators everywhere, or the line's approver; never the submitter), within what the
    user may see, so that the linked list shows every expenditure counted. The user's roles
    are read from the user object, which the navigation has already loaded on every page.
    """
    if not (getattr(user, "is_authenticated", False) and user.is_active):
        return []
    waiting = (
        Expenditure.objects.visible_to(user)
        .filter(status=Expenditure.Status.SUBMITTED)
        .exclude(submitted_by=user)
    )
    if not is_portal_admin(user):
        waiting = waiting.filter(
            Q(line__program__in=administered_program_ids(user)) | Q(line__approver=user)
        )
    url = reverse("programs:expenditure-list") + "?status=" + Expenditure.Status.SUBMITTED
    return [
        AttentionItem(
            label=_("Expenditures awaiting your decision"),
            count=waiting.count(),
            url=url,
            level="warning",
        )
    ]
