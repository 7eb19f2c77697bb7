"""Who may manage and confirm placements."""

from __future__ import annotations

from typing import Any

from accounts.roles import Role

from ..people.permissions import holds_any
from ..scopes import administers, coordinates


def can_confirm_placement(user: Any, placement: Any) -> bool:
    """The host's coordinators confirm the start of a planned placement."""
    return placement.status == placement.Status.PLANNED and coordinates(user, placement.host)


def can_manage_placements(user: Any, program: Any) -> bool:
    return administers(user, program)


def is_coordinator(user: Any) -> bool:
    return holds_any(user, Role.PARTNER_COORDINATOR)
