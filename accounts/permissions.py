"""Who may do what with accounts. Deny by default."""

from __future__ import annotations

from typing import Any


def is_portal_admin(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_portal_admin)


def can_manage_users(user: Any) -> bool:
    """List and edit accounts of others."""
    return is_portal_admin(user)


def can_import_users(user: Any) -> bool:
    """Start a bulk import of user accounts."""
    return is_portal_admin(user)
