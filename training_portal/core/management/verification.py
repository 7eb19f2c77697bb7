"""The shape of the commands that re-check stored records (`verify_draw`,
`verify_publications`): each item checked prints "<label>: OK" or "<label>: <BAD>" followed by
its problems, indented; any bad item makes the command fail (exit status 1)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.management.base import BaseCommand, CommandError


class VerifyCommand(BaseCommand, ABC):
    #: The word printed after a failing item's label.
    failed_word = "MISMATCH"

    @abstractmethod
    def checks(self, **options: Any) -> Iterable[tuple[str, Sequence[str]]]:
        """(label, problems) of each item to verify; no problems means intact."""

    def failure(self, failed: int, checked: int) -> str:
        """The error message when `failed` of `checked` items are not intact."""
        return f"{failed} of {checked} items do not match their record."

    def success(self, checked: int) -> str | None:
        """A closing line when every item is intact (None: none)."""
        return None

    def handle(self, *args: Any, **options: Any) -> None:
        failed = checked = 0
        for label, problems in self.checks(**options):
            checked += 1
            if not problems:
                self.stdout.write(self.style.SUCCESS(f"{label}: OK"))
                continue
            failed += 1
            self.stdout.write(self.style.ERROR(f"{label}: {self.failed_word}"))
            for problem in problems:
                self.stdout.write(f"  {problem}")
        if failed:
            raise CommandError(self.failure(failed, checked))
        closing = self.success(checked)
        if closing:
            self.stdout.write(closing)
