"""The home page's attention items of external inspections (registered in `hooks`)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from accounts.permissions import is_portal_admin
from accounts.roles import Role
from programs.scopes import administered_program_ids, coordinated_organization_ids
from training_portal.core.attention import AttentionItem

from ..models import Inspection, InspectionTeamMember, InspectorProfile, ReplyComment
from . import permissions
from .workflow import CONDUCTING

Status = Inspection.Status

TO_CONDUCT = gettext_lazy("Inspections to conduct")
TO_ANSWER = gettext_lazy("Reply comments awaiting your answer")
REPLY_OPEN = gettext_lazy("Draft inspection reports open for your comments")
TO_APPROVE = gettext_lazy("Inspection reports awaiting your approval")


def inspections_attention(user: Any) -> list[AttentionItem]:
    """The home page's inspection items, all counted inside `visible_to(user)` (so an
    unannounced inspection counts for nobody on the inspected side before it starts): one
    aggregate query, and one more for inspectors' unanswered comments."""
    if not (getattr(user, "is_authenticated", False) and user.is_active):
        return []
    inspector = permissions.is_inspector(user)
    inspected_roles = {Role.PROGRAM_ADMIN, Role.PARTNER_COORDINATOR} & user.role_names
    if not (is_portal_admin(user) or inspector or inspected_roles):
        return []
    now = timezone.now()
    visible = Inspection.objects.visible_to(user)
    on_team = Q(
        Exists(InspectionTeamMember.objects.filter(inspection=OuterRef("pk"), inspector=user))
    )
    authored = Exists(
        InspectionTeamMember.objects.filter(
            inspection=OuterRef("pk"), inspector=user, is_author=True
        )
    )
    inspected = Q(organization__in=coordinated_organization_ids(user)) | Q(
        program__in=administered_program_ids(user)
    )
    if is_portal_admin(user):
        approver = Q()
    else:
        lead = Exists(InspectorProfile.objects.filter(user=user, is_lead=True, is_active=True))
        approver = on_team & Q(lead)
    counts = visible.aggregate(
        to_conduct=Count(
            "pk",
            filter=on_team
            & (Q(status__in=CONDUCTING) | Q(status=Status.PLANNED, starts_at__lte=now)),
        ),
        reply_open=Count(
            "pk",
            filter=inspected
            & Q(status=Status.IN_REPLY, reply_opens_at__lte=now, reply_closes_at__gt=now),
        ),
        to_approve=Count(
            "pk",
            filter=approver
            & Q(status=Status.AWAITING_APPROVAL)
            & ~Q(publication_requested_by=user)
            & ~Q(authored),  # as permissions.can_approve_publication: never an author
        ),
    )
    list_url = reverse("inspections:inspection-list")
    items = [
        AttentionItem(TO_CONDUCT, counts["to_conduct"], f"{list_url}?mine=on", "primary"),
        AttentionItem(
            REPLY_OPEN, counts["reply_open"], f"{list_url}?status={Status.IN_REPLY}", "warning"
        ),
        AttentionItem(
            TO_APPROVE,
            counts["to_approve"],
            f"{list_url}?status={Status.AWAITING_APPROVAL}",
            "warning",
        ),
    ]
    if inspector:
        unanswered = ReplyComment.objects.filter(
            section__inspection__in=visible.filter(on_team), answered_at__isnull=True
        ).count()
        items.insert(
            1,
            AttentionItem(
                TO_ANSWER, unanswered, f"{list_url}?status={Status.IN_REPLY}&mine=on", "warning"
            ),
        )
    return items
