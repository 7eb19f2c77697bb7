"""Re-run stored draws and compare them with their records (exit status 1 on a mismatch)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.core.management.base import CommandError, CommandParser

from supervision.inspections.draw import verify_draw
from supervision.models import Draw
from training_portal.core.management.verification import VerifyCommand


class Command(VerifyCommand):
    help = (
        "Re-run a draw from its record (seed, inputs, algorithm) and compare the result with the "
        "stored one. Prints the differences and exits with status 1 on any mismatch."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("public_id", nargs="?", help="The draw's public identifier.")
        parser.add_argument("--all", action="store_true", help="Verify every draw.")

    def checks(self, **options: Any) -> Iterable[tuple[str, list[str]]]:
        for draw in self._draws(options.get("public_id"), bool(options["all"])):
            yield str(draw.public_id), verify_draw(draw)

    def failure(self, failed: int, checked: int) -> str:
        return f"{failed} of {checked} draws do not match their record."

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
