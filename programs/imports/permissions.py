"""Who may import what: organisations (whoever may create organisations, see
`programs.partners.permissions`), tutors (administrators; coordinators for their organisation) and a
program's students (its administrators, `programs.people.permissions.can_manage_students`)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from accounts.permissions import is_portal_admin

from .. import scopes
from ..models import Organization


def tutor_organizations(user: Any) -> QuerySet[Organization]:
    """Organisations `user` may add tutors to (`create_tutor` checks again for every row)."""
    return Organization.objects.filter(pk__in=scopes.tutor_organization_ids(user))


def can_import_tutors(user: Any) -> bool:
    return is_portal_admin(user) or tutor_organizations(user).exists()
