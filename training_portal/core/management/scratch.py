"""The base of the commands that fill the database with made-up data (demo, scale)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


class ScratchDataCommand(BaseCommand):
    """Refuses to run with DEBUG off unless `--force` is given (see `refuse_unless_debug`)."""

    #: Why the command refuses to run with DEBUG off, and how to insist.
    refusal = ""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off.")

    def refuse_unless_debug(self, force: bool) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(self.refusal)
