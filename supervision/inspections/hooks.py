"""What external inspections register with the portal: navigation entries, the home-page
attention items (counted inside `Inspection.objects.visible_to(user)`, so that an unannounced
inspection counts for nobody on the inspected side before it starts), and who reads an
inspection's history (portal administrators, and the inspectors on its team), the demo seeder
and the Celery tasks. Called once, through `training_portal.core.registry.register_features`."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _


def register() -> None:
    from training_portal.core.attention import register_attention
    from training_portal.core.history import register_history
    from training_portal.core.navigation import SUPERVISION_MENU, register_nav
    from training_portal.core.registry import register_demo_seeder
    from training_portal.core.views import register_role_labels

    from ..models import Inspection
    from . import (
        attention,
        permissions,
        tasks,  # noqa: F401  (the worker knows the tasks)
    )
    from .demo import seed_inspection_demo

    # One entry: the calendar, assignments, pool, templates and draws are in the inspections
    # pages' own menu (the main bar is shared by every app).
    register_nav(
        _("Inspections"),
        "inspections:inspection-list",
        permissions.sees_inspections,
        menu=SUPERVISION_MENU,
    )
    register_attention(attention.inspections_attention)
    register_role_labels(permissions.inspector_role_labels)

    def inspection_history_allowed(user: Any, inspection: Any) -> bool:
        return permissions.is_team_member(user, inspection)

    register_history(
        Inspection,
        allowed=inspection_history_allowed,
        url="inspections:inspection-detail",
    )
    register_demo_seeder(310, "inspections", seed_inspection_demo)
