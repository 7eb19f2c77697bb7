from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.demo import seed_demo_accounts
from evaluation.demo import seed_evaluation_app_demo
from programs.demo import seed_programs_demo
from programs.demo_lifecycle import seed_lifecycle_demo
from supervision.audits.demo import seed_audit_demo
from supervision.inspections.demo import seed_inspection_demo


class Command(BaseCommand):
    help = "Load the demo data (idempotent). Refuses to run with DEBUG off unless --force."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off.")

    def handle(self, *args: Any, force: bool = False, **options: Any) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates accounts with a published password; it refuses to run with "
                "DEBUG off. Use --force if this really is a demonstration instance."
            )
        accounts = seed_demo_accounts()
        seed_programs_demo()
        run = seed_audit_demo()
        seed_inspection_demo()
        seed_evaluation_app_demo()
        seed_lifecycle_demo()
        self.stdout.write(self.style.SUCCESS("Demo data ready. Sign in with:"))
        for account in accounts:
            role = account.role.label if account.role else "no role"
            note = f", {account.note}" if account.note else ""
            self.stdout.write(f"  {account.email:<32} {settings.DEMO_PASSWORD}  ({role}{note})")
        if run is not None:
            self.stdout.write(
                f"A first audit of the demo data (run {run.pk}) is queued; the worker runs it."
            )
