"""What the audits plug into the portal: the rules of the catalogue, the audit's job kind, the
navigation entry, who reads the history of rule settings (portal administrators, and program
administrators of their program), the demo's first audit, and the Celery tasks."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def register() -> None:
    from programs.records.permissions import administers_program_id
    from training_portal.core.history import register_history
    from training_portal.core.jobs import register_job_kind
    from training_portal.core.navigation import SUPERVISION_MENU, register_nav
    from training_portal.core.registry import register_demo_seeder

    from ..models import RuleSetting
    from ..rules import on_time
    from ..rules.catalogue import register_catalogue
    from . import engine, permissions, tasks  # noqa: F401  (the tasks register with Celery)
    from .demo import seed_audits

    register_catalogue()
    on_time.register_rules()
    register_job_kind(engine.JOB_KIND, task_name="supervision.run_audit", label=engine.JOB_LABEL)
    register_nav(
        _("Audits"), "supervision:dashboard", permissions.administers_any, menu=SUPERVISION_MENU
    )

    def of_program(user: Any, setting: Any) -> bool:
        return administers_program_id(user, setting.program_id)

    def rule_settings_page(setting: Any) -> str:
        url = reverse("supervision:rule-settings")
        return f"{url}?program={setting.program_id}" if setting.program_id else url

    register_history(RuleSetting, allowed=of_program, url=rule_settings_page)
    register_demo_seeder(300, "audits", seed_audits)
