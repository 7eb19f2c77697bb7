"""What the evaluation tests share: the role names of the permission matrices, every member
of the programs cast by role name, and signed-in page and API clients.

The people are the programs cast (tests/programs/conftest.py) with the portal administrator
(Alice, `admin`) and the signed-in account with no role (Oscar, `outsider`) of
tests/conftest.py; "anonymous" is the signed-out visitor (None).
"""

from __future__ import annotations

from typing import Any

from tests.cast import CAST_ROLES, Cast, who

#: Every role of the matrix ("anonymous" is the signed-out visitor).
ROLES = [*CAST_ROLES, "anonymous"]


def by_role(cast: Cast, admin: Any, outsider: Any) -> dict[str, Any]:
    """Every member of the cast by role name (None: anonymous)."""
    people = {
        name: who(cast, name, outsider)
        for name in ROLES
        if name not in ("admin", "other_coordinator", "anonymous")
    }
    return {
        **people,
        "admin": admin,
        "other_coordinator": cast.other_coordinator,
        "anonymous": None,
    }
