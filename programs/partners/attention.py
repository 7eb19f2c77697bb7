"""The coordinator's home summary."""

from __future__ import annotations

from typing import Any

from django.db.models import OuterRef, Subquery, Sum

from accounts.roles import Role

from ..models import Organization, Placement, ProgramPartner
from ..people.permissions import holds_any
from ..placements.services import confirmable_by
from ..scopes import SubqueryCount, coordinated_organization_ids


def coordinator_summary(user: Any) -> dict[str, Any] | None:
    """The organisations `user` coordinates, with their placements (active, to confirm)."""
    if not holds_any(user, Role.PARTNER_COORDINATOR):
        return None
    hosted = Placement.objects.filter(host=OuterRef("pk"))
    organizations = list(
        Organization.objects.filter(pk__in=coordinated_organization_ids(user))
        .annotate(
            active_placements=SubqueryCount(hosted.filter(status=Placement.Status.ACTIVE)),
            to_confirm=SubqueryCount(
                hosted.filter(status=Placement.Status.PLANNED, start_date__lte=confirmable_by())
            ),
            places_offered=Subquery(
                ProgramPartner.objects.filter(organization=OuterRef("pk"), is_active=True)
                .order_by()
                .values("organization")
                .annotate(total=Sum("places_offered"))
                .values("total")
            ),
        )
        .order_by("name")
    )
    return {"organizations": organizations} if organizations else None
