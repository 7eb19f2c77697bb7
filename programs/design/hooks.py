"""What programs and their elements plug into the portal."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accounts.roles import Role, register_scope
from training_portal.core.navigation import TRAINING_MENU, register_nav
from training_portal.core.registry import register_demo_seeder
from training_portal.core.views import register_home_section

from .attention import program_admin_summary
from .permissions import sees_programs


def _seed_programs() -> None:
    from ..demo import seed_programs_demo

    seed_programs_demo()


def _seed_lifecycle() -> None:
    from ..demo_lifecycle import seed_lifecycle_demo

    seed_lifecycle_demo()


def register() -> None:
    register_scope(Role.PROGRAM_ADMIN, "programs.Program")
    register_scope(Role.STUDENT, "programs.Program")
    register_nav(_("Programs"), "programs:program-list", sees_programs, menu=TRAINING_MENU)
    register_home_section("programs/attention/home_program_admin.html", program_admin_summary)
    register_demo_seeder(200, "programs", _seed_programs)
    # The lifecycle demo touches every app: it runs last.
    register_demo_seeder(900, "programs.lifecycle", _seed_lifecycle)
