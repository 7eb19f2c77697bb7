from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    """Audit rules and runs, findings, inspections, publication, internal supervision."""

    name = "supervision"
    verbose_name = _("Supervision")

    def ready(self) -> None:
        from training_portal.core.jobs import register_job_kind

        from . import audit, tasks  # noqa: F401  (the tasks register with Celery)
        from .rules import on_time
        from .rules.catalogue import register_catalogue

        register_catalogue()
        on_time.register_rules()
        register_job_kind(audit.JOB_KIND, task_name="supervision.run_audit", label=audit.JOB_LABEL)
        self.register_pages()

        from .internal import setup

        setup.register()

        from training_portal.core.registry import register_features

        register_features(self, "inspections")

    @staticmethod
    def register_pages() -> None:
        """Navigation, home-page attention items, and who reads the history of findings and
        rule settings (portal administrators, and program administrators of their program)."""
        from django.urls import reverse

        from programs.records.permissions import administers_program_id
        from training_portal.core.attention import register_attention
        from training_portal.core.history import register_history
        from training_portal.core.navigation import SUPERVISION_MENU, register_nav

        from . import views
        from .models import Finding, RuleSetting

        register_nav(
            _("Audits"), "supervision:dashboard", views.administers_any, menu=SUPERVISION_MENU
        )
        register_nav(
            _("Findings"), "supervision:finding-list", views.sees_findings, menu=SUPERVISION_MENU
        )
        register_attention(views.assigned_findings_attention)
        register_attention(views.serious_findings_attention)

        def of_program(user: Any, obj: Any) -> bool:
            return administers_program_id(user, obj.program_id)

        def rule_settings_page(setting: Any) -> str:
            url = reverse("supervision:rule-settings")
            return f"{url}?program={setting.program_id}" if setting.program_id else url

        register_history(
            Finding,
            allowed=of_program,
            url=lambda finding: reverse("supervision:finding-detail", args=[finding.pk]),
        )
        register_history(RuleSetting, allowed=of_program, url=rule_settings_page)
