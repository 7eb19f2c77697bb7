"""Re-run stored draws and compare them with their records (exit status 1 on a mismatch)."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from supervision.inspections.draw import verify_draw
from supervision.models import Draw


class Command(BaseCommand):
    help = (
        "Re-run a draw from its record (seed, inputs, algorithm) and compare the result with the "
        "stored one. Prints the differences and exits with status 1 on any mismatch."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("public_id", nargs="?", help="The draw's public identifier.")
        parser.add_argument("--all", action="store_true", help="Verify every draw.")

    def handle(self, *args: Any, public_id: str | None = None, **options: Any) -> None:
        draws = self._draws(public_id, bool(options["all"]))
        mismatched = 0
        for draw in draws:
            problems = verify_draw(draw)
            if problems:
                mismatched += 1
                self.stdout.write(self.style.ERROR(f"{draw.public_id}: MISMATCH"))
                for problem in problems:
                    self.stdout.write(f"  {problem}")
            else:
                self.stdout.write(self.style.SUCCESS(f"{draw.public_id}: OK"))
        if mismatched:
            raise CommandError(f"{mismatched} of {len(draws)} draws do not match their record.")

    @staticmethod
    def _draws(public_id: str | None, every: bool) -> list[Draw]:
        if every == bool(public_id):
            raise CommandError("Give one draw's public identifier, or --all.")
        if every:
            return list(Draw.objects.order_by("drawn_at", "pk"))
        try:
            return [Draw.objects.get(public_id=uuid.UUID(str(public_id)))]
        except (ValueError, Draw.DoesNotExist) as error:
            raise CommandError(f"No draw with the public identifier {public_id!r}.") from error
