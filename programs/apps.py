from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgramsConfig(AppConfig):
    """Partners, programs, curriculum, people, plans, placements, projects, logs, funds."""

    name = "programs"
    verbose_name = _("Programs")

    def ready(self) -> None:
        from accounts.roles import Role, register_scope

        register_scope(Role.PROGRAM_ADMIN, "programs.Program")
        register_scope(Role.STUDENT, "programs.Program")
        register_scope(Role.PARTNER_COORDINATOR, "programs.Organization")
        register_scope(Role.ACADEMIC_TUTOR, "programs.Organization")
        register_scope(Role.PRACTICE_TUTOR, "programs.Organization")
