from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import CommandError, CommandParser

from programs.scale import STUDENTS_PER_PROGRAM, seed_scale
from training_portal.core.management.scratch import ScratchDataCommand


class Command(ScratchDataCommand):
    help = (
        "Build a large, deterministic data set of N students for measuring the portal. Seeding "
        "again first deletes the previous scale data. Refuses to run with DEBUG off unless "
        "--force."
    )
    refusal = (
        "seed_scale fills the database with generated people and records; it refuses "
        "to run with DEBUG off. Use --force if this really is a scratch database."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--students", type=int, required=True, help="Number of students.")
        parser.add_argument(
            "--programs",
            type=int,
            default=None,
            help=f"Number of programs (default: one per {STUDENTS_PER_PROGRAM:,} students).",
        )
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")
        parser.add_argument(
            "--method",
            choices=["auto", "copy", "orm"],
            default="auto",
            help="COPY (PostgreSQL) or bulk_create in chunks; auto picks COPY on PostgreSQL.",
        )
        parser.add_argument(
            "--today",
            type=dt.date.fromisoformat,
            default=None,
            help="Anchor date of the data set (YYYY-MM-DD; default: today).",
        )
        parser.add_argument(
            "--row-checks",
            action="store_true",
            help="PostgreSQL: keep the per-row foreign-key checks instead of verifying them in "
            "bulk after the load (slower; automatic when the role may not skip triggers).",
        )
        super().add_arguments(parser)

    def handle(self, *args: Any, force: bool = False, **options: Any) -> None:
        self.refuse_unless_debug(force)
        try:
            report = seed_scale(
                options["students"],
                options["programs"],
                options["seed"],
                method=options["method"],
                today=options["today"],
                row_checks=options["row_checks"],
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Scale data: {report.students:,} students in {report.programs:,} programs "
            f"(seed {report.seed}, {report.method}"
            f"{', per-row foreign-key checks' if report.row_checks else ''})"
        )
        for table in report.tables:
            self.stdout.write(f"  {table.label:<34} {table.rows:>12,} rows {table.seconds:>9.2f} s")
        self.stdout.write(self.style.SUCCESS(f"Done in {report.seconds:.1f} s."))
