"""Builders of import files as users make them (Excel, CSV in UTF-8 or GB18030)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from openpyxl import Workbook

HEADER = ["email", "full_name", "preferred_language"]


def people(n: int, prefix: str = "p") -> list[list[str]]:
    return [
        [f"{prefix}{i}@example.cn", f"学生{i}号", "zh-hans" if i % 2 else "en"] for i in range(n)
    ]


def csv_bytes(rows: Sequence[Sequence[str]], encoding: str = "utf-8", bom: bool = False) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    data = buffer.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def xlsx_bytes(rows: Sequence[Sequence[str]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def with_three_bad_rows(n: int = 20) -> list[list[str]]:
    """Rows 4, 8 and 12 (spreadsheet numbering, header = row 1) are wrong."""
    rows = [HEADER, *people(n, "ok")]
    rows[3][0] = "not-an-email"
    rows[7][1] = ""
    rows[11][2] = "klingon"
    return rows
