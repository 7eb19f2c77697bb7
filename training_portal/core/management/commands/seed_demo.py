"""`manage.py seed_demo`: load the demo data, every app's piece in the order it registered
(`training_portal.core.registry.register_demo_seeder`), then print what the pieces said (the
accounts to sign in with, the queued first audit)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from training_portal.core.registry import demo_seeders


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
        lines: list[str] = []
        for seeder in demo_seeders():
            lines.extend(seeder.seed() or ())
        self.stdout.write(self.style.SUCCESS("Demo data ready. Sign in with:"))
        for line in lines:
            self.stdout.write(line)
