"""What organisations, partners and responsibilities plug into the portal."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accounts.roles import Role, register_scope
from training_portal.core.navigation import ADMINISTRATION_MENU, register_nav
from training_portal.core.views import register_home_section

from ..extensions import register_program_section
from .attention import coordinator_summary
from .permissions import can_see_responsibility_matrix, manages_organizations
from .responsibilities import register_checks


def register() -> None:
    register_scope(Role.PARTNER_COORDINATOR, "programs.Organization")
    register_scope(Role.ACADEMIC_TUTOR, "programs.Organization")
    register_scope(Role.PRACTICE_TUTOR, "programs.Organization")
    # A counsellor may be posted at an organisation (its mental-health service).
    register_scope(Role.COUNSELLOR, "programs.Organization")
    register_nav(
        _("Organisations"),
        "programs:organization-list",
        manages_organizations,
        menu=ADMINISTRATION_MENU,
    )
    register_program_section(
        _("Responsibility matrix"),
        "programs:responsibility-matrix",
        can_see_responsibility_matrix,
    )
    register_home_section("programs/attention/home_coordinator.html", coordinator_summary)
    register_checks()
