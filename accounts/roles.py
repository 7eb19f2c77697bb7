"""The roles of DOMAIN.md's People table and the registry of what scopes each role.

A role is held through a `RoleMembership`; scoped roles point at a scope object through a
generic relation, so that the apps which own the scopes (programs, organisations, inspection
assignments) register their model here in their AppConfig.ready() and memberships plug in
without a migration of this app.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    PORTAL_ADMIN = "portal_admin", _("Portal administrator")
    PROGRAM_ADMIN = "program_admin", _("Program administrator")
    PARTNER_COORDINATOR = "partner_coordinator", _("Partner coordinator")
    ACADEMIC_TUTOR = "academic_tutor", _("Academic tutor")
    PRACTICE_TUTOR = "practice_tutor", _("Practice tutor")
    STUDENT = "student", _("Student")
    INSPECTOR = "inspector", _("Inspector")
    COUNSELLOR = "counsellor", _("Counsellor")


#: The roles of the people who run and follow training (the cast of most pages; inspectors
#: and counsellors stand apart).
TRAINING_ROLES: frozenset[str] = frozenset(
    {
        Role.PROGRAM_ADMIN,
        Role.PARTNER_COORDINATOR,
        Role.ACADEMIC_TUTOR,
        Role.PRACTICE_TUTOR,
        Role.STUDENT,
    }
)

#: Roles that are held without a scope (they are portal-wide by nature).
UNSCOPED_ROLES: frozenset[str] = frozenset({Role.PORTAL_ADMIN})
#: Roles held portal-wide or, where an app registers a scope, for one scope: a counsellor
#: serves every student, and may be posted at an organisation (its mental-health service).
OPTIONALLY_SCOPED_ROLES: frozenset[str] = frozenset({Role.COUNSELLOR})

_scope_models: dict[str, set[str]] = {}


def register_scope(role: Role | str, model_label: str) -> None:
    """Allow memberships of `role` to be scoped by instances of `model_label` ("app.Model")."""
    if Role(role) in UNSCOPED_ROLES:
        raise ValueError(f"{role} is portal-wide and takes no scope")
    _scope_models.setdefault(str(role), set()).add(model_label.lower())


def scope_models(role: Role | str) -> frozenset[str]:
    """The model labels ("app.model", lower case) that may scope `role`."""
    return frozenset(_scope_models.get(str(role), set()))
