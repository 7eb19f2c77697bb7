"""Project proposals waiting on a decision."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from training_portal.core.attention import AttentionItem

from ..models import Project
from ..people.permissions import holds_any
from ..scopes import administered_program_ids, coordinated_organization_ids


def proposals_to_decide(user: Any) -> QuerySet[Project]:
    """Visible proposals `user` approves or refuses: those of the programs they administer or
    led by the organisations they coordinate, never their own (`can_decide_proposal`)."""
    return (
        Project.objects.visible_to(user)
        .filter(status=Project.Status.PROPOSED)
        .filter(
            Q(program__in=administered_program_ids(user))
            | Q(lead_organization__in=coordinated_organization_ids(user))
        )
        .exclude(proposed_by=user)
    )


def project_proposals_to_decide(user: Any) -> list[AttentionItem]:
    if not holds_any(user, Role.PROGRAM_ADMIN, Role.PARTNER_COORDINATOR):
        return []
    return [
        AttentionItem(
            _("Project proposals to decide"),
            proposals_to_decide(user).count(),
            f"{reverse('programs:project-list')}?status={Project.Status.PROPOSED}",
            "warning",
        )
    ]
