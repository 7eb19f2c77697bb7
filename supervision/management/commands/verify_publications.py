"""Recompute the hash chains of published reports and audit summaries (exit status 1 on
tampering)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.core.management.base import CommandError, CommandParser

from programs.models import Program
from supervision.inspections.publication import verify_report_chain, verify_summary_chain
from supervision.models import Inspection, PublishedAuditSummary, PublishedReport
from training_portal.core.management.verification import VerifyCommand


class Command(VerifyCommand):
    failed_word = "BROKEN"
    help = (
        "Check every published version: its content hash and its link to the previous "
        "version. Prints the problems and exits with status 1 if any chain is broken."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--inspection", type=int, default=None, help="Only this inspection's report."
        )

    def checks(self, **options: Any) -> Iterable[tuple[str, list[str]]]:
        return self._chains(options.get("inspection"))

    def failure(self, failed: int, checked: int) -> str:
        return f"{failed} of {checked} chains are broken."

    def success(self, checked: int) -> str:
        return f"{checked} chains intact."

    @staticmethod
    def _chains(only: int | None) -> Iterator[tuple[str, list[str]]]:
        reports = PublishedReport.objects.values("inspection_id")
        inspections = Inspection.objects.filter(pk__in=reports).order_by("pk")
        if only is not None:
            if not Inspection.objects.filter(pk=only).exists():
                raise CommandError(f"No inspection {only}.")
            inspections = Inspection.objects.filter(pk=only)
        for item in inspections:
            yield f"inspection {item.pk} report", verify_report_chain(item)
        if only is not None:
            return
        summaries = PublishedAuditSummary.objects.values("program_id")
        for program in Program.objects.filter(pk__in=summaries).order_by("pk"):
            yield f"program {program.code} audit summary", verify_summary_chain(program)
