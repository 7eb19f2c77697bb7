"""`manage.py seed_demo`: load the demo data, every app's piece in the order it registered
(`training_portal.core.registry.register_demo_seeder`), then print what the pieces said (the
accounts to sign in with, the queued first audit)."""

from __future__ import annotations

from typing import Any

from training_portal.core.registry import demo_seeders

from ..scratch import ScratchDataCommand


class Command(ScratchDataCommand):
    help = "Load the demo data (idempotent). Refuses to run with DEBUG off unless --force."
    refusal = (
        "seed_demo creates accounts with a published password; it refuses to run with "
        "DEBUG off. Use --force if this really is a demonstration instance."
    )

    def handle(self, *args: Any, force: bool = False, **options: Any) -> None:
        self.refuse_unless_debug(force)
        lines: list[str] = []
        for seeder in demo_seeders():
            lines.extend(seeder.seed() or ())
        self.stdout.write(self.style.SUCCESS("Demo data ready. Sign in with:"))
        for line in lines:
            self.stdout.write(line)
