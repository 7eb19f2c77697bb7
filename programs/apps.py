from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgramsConfig(AppConfig):
    """Partners, programs, curriculum, people, plans, placements, projects, logs, funds."""

    name = "programs"
    verbose_name = _("Programs")

    def ready(self) -> None:
        from accounts.roles import Role, register_scope
        from training_portal.core.navigation import TRAINING_MENU, register_nav

        from . import views

        register_scope(Role.PROGRAM_ADMIN, "programs.Program")
        register_scope(Role.STUDENT, "programs.Program")
        register_scope(Role.PARTNER_COORDINATOR, "programs.Organization")
        register_scope(Role.ACADEMIC_TUTOR, "programs.Organization")
        register_scope(Role.PRACTICE_TUTOR, "programs.Organization")
        # A counsellor may be posted at an organisation (its mental-health service).
        register_scope(Role.COUNSELLOR, "programs.Organization")

        from . import tasks  # noqa: F401 -- registers the Celery tasks
        from .imports import hooks as imports_hooks

        imports_hooks.register()

        register_nav(_("My students"), "programs:my-students", views.is_tutor)
        register_nav(_("My plan"), "programs:my-plan", views.is_student)
        register_nav(
            _("Programs"), "programs:program-list", views.sees_programs, menu=TRAINING_MENU
        )
        register_nav(
            _("Placements to confirm"), "programs:placements-to-confirm", views.is_coordinator
        )

        from training_portal.core.attention import register_attention

        from . import funds_attention, views_funds

        register_nav(
            _("Funds"), "programs:budget-line-list", views_funds.sees_funds, menu=TRAINING_MENU
        )
        register_attention(funds_attention.funds_attention)

        from . import views_projects

        register_nav(
            _("Projects"), "programs:project-list", views_projects.sees_projects, menu=TRAINING_MENU
        )
        register_attention(views_projects.case_logs_to_verify_attention)

        from training_portal.core.navigation import ADMINISTRATION_MENU

        from . import (
            attention,
            extensions,
            history_access,
            permissions,
            responsibilities,
            views_organizations,
        )

        register_nav(
            _("Organisations"),
            "programs:organization-list",
            views_organizations.manages_organizations,
            menu=ADMINISTRATION_MENU,
        )
        extensions.register_program_section(
            _("Responsibility matrix"),
            "programs:responsibility-matrix",
            permissions.can_see_responsibility_matrix,
        )

        attention.register()
        history_access.register()
        responsibilities.register()
