"""Benchmark: the bulk account import against a naive per-row baseline, in one run.

    make bench-imports            (PostgreSQL from DATABASE_URL; a throw-away test database)

Both sides read the same XLSX of N rows and create the same accounts. The baseline is what
one writes first: for each row, a form, an existence query and `User.objects.create`. The
import validates every row, checks existing e-mails in one query and creates in bulk, all or
nothing. Prints both times and the ratio.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "training_portal.settings")
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("TESTING", "true")

import django  # noqa: E402

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from accounts import imports  # noqa: E402
from accounts.models import User  # noqa: E402
from tests.accounts.import_files import HEADER, xlsx_bytes  # noqa: E402
from training_portal.core import tables  # noqa: E402

ROWS = int(os.environ.get("BENCH_ROWS", "5000"))


def make_rows(prefix: str) -> list[list[str]]:
    return [HEADER, *([f"{prefix}{i}@bench.example", f"学生{i}", "zh-hans"] for i in range(ROWS))]


def baseline(data: bytes) -> int:
    rows = tables.read_table(data, "bench.xlsx")
    unusable = make_password(None)
    created = 0
    with transaction.atomic():
        for row in rows[1:]:
            form = imports.UserImportRowForm(
                data={"email": row[0], "full_name": row[1], "preferred_language": row[2]}
            )
            if (
                form.is_valid()
                and not User.objects.filter(email=form.cleaned_data["email"]).exists()
            ):
                User.objects.create(**form.cleaned_data, password=unusable)
                created += 1
    return created


def portal_import(data: bytes) -> int:
    rows = tables.read_table(data, "bench.xlsx")
    result = imports.validate_rows(rows)
    assert not result.errors
    return len(imports.create_accounts(result.rows))


def timed(label: str, fn, data: bytes) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    created = fn(data)
    elapsed = time.perf_counter() - start
    assert created == ROWS, (label, created)
    print(f"{label:<28} {elapsed:8.2f} s   {ROWS / elapsed:9.0f} rows/s")
    return elapsed


def main() -> None:
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        print(f"{ROWS} rows, database: {connection.vendor}")
        base = timed("baseline (per-row ORM)", baseline, xlsx_bytes(make_rows("a")))
        mine = timed("portal import (bulk)", portal_import, xlsx_bytes(make_rows("b")))
        print(f"ratio baseline / portal: {base / mine:.1f}x")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
