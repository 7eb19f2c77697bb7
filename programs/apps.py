from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgramsConfig(AppConfig):
    """Partners, programs, curriculum, people, plans, placements, projects, logs, funds."""

    name = "programs"
    verbose_name = _("Programs")

    def ready(self) -> None:
        from accounts.roles import Role, register_scope
        from training_portal.core.navigation import register_nav

        from . import views

        register_scope(Role.PROGRAM_ADMIN, "programs.Program")
        register_scope(Role.STUDENT, "programs.Program")
        register_scope(Role.PARTNER_COORDINATOR, "programs.Organization")
        register_scope(Role.ACADEMIC_TUTOR, "programs.Organization")
        register_scope(Role.PRACTICE_TUTOR, "programs.Organization")

        register_nav(_("My students"), "programs:my-students", views.is_tutor)
        register_nav(_("My plan"), "programs:my-plan", views.is_student)
        register_nav(_("Programs"), "programs:program-list", views.sees_programs)
        register_nav(
            _("Placements to confirm"), "programs:placements-to-confirm", views.is_coordinator
        )
