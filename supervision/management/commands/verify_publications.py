"""Recompute the hash chains of published reports and audit summaries (exit status 1 on
tampering)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from programs.models import Program
from supervision.inspections.publication import verify_report_chain, verify_summary_chain
from supervision.models import Inspection, PublishedAuditSummary, PublishedReport


class Command(BaseCommand):
    help = (
        "Check every published version: its content hash and its link to the previous "
        "version. Prints the problems and exits with status 1 if any chain is broken."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--inspection", type=int, default=None, help="Only this inspection's report."
        )

    def handle(self, *args: Any, inspection: int | None = None, **options: Any) -> None:
        broken = 0
        checked = 0
        for label, problems in self._chains(inspection):
            checked += 1
            if problems:
                broken += 1
                self.stdout.write(self.style.ERROR(f"{label}: BROKEN"))
                for problem in problems:
                    self.stdout.write(f"  {problem}")
            else:
                self.stdout.write(self.style.SUCCESS(f"{label}: OK"))
        if broken:
            raise CommandError(f"{broken} of {checked} chains are broken.")
        self.stdout.write(f"{checked} chains intact.")

    @staticmethod
    def _chains(only: int | None) -> Any:
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
