"""A report's files: PDF (HTML with the SVG charts, through WeasyPrint), XLSX (openpyxl)
and CSV (UTF-8 with a BOM, formula-like cells neutralised).

WeasyPrint is imported only when a PDF is made, so that pages and tests that never make
one do not load it. The PDF's CSS names a CJK font first, so that Chinese renders.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language

from training_portal.core.formats import format_datetime
from training_portal.core.tables import neutralise as _neutralise

from .builders import ReportData

PDF_TEMPLATE = "evaluation/reports/pdf.html"


def report_html(data: ReportData, *, inputs_as_of: Any = None, content_hash: str = "") -> str:
    """The HTML the PDF is made of: every section's table, with its chart."""
    return render_to_string(
        PDF_TEMPLATE,
        {
            "data": data,
            "sections": [
                {"section": section, "rows": section.display_rows()} for section in data.sections
            ],
            "inputs_as_of": inputs_as_of,
            "content_hash": content_hash,
            "language": get_language(),
        },
    )


class PdfUnavailable(RuntimeError):
    """WeasyPrint cannot run on this machine: its system libraries (Pango) are missing."""


def render_pdf(html: str) -> bytes:
    try:
        from weasyprint import HTML  # lazily: heavy, and only the report job needs it
    except (ImportError, OSError) as error:  # OSError: Pango/GObject not installed
        raise PdfUnavailable(str(error)) from error

    result = HTML(string=html).write_pdf()
    assert result is not None
    return bytes(result)


def _cell(value: Any) -> Any:
    """A value as a spreadsheet cell: numbers and dates as such, the rest as text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return value
    if isinstance(value, Decimal):
        return float(value)
    if hasattr(value, "isoformat") and not hasattr(value, "tzinfo"):  # date
        return value
    if hasattr(value, "tzinfo"):  # datetime: local, without the zone (XLSX has none)
        return timezone.localtime(value).replace(tzinfo=None) if value.tzinfo else value
    return str(value)


def _text_cell(value: Any) -> str:
    """A CSV cell: numbers as they are (a negative number is no formula), text neutralised."""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return str(value)
    if value is None:
        return ""
    return _neutralise(str(value))


def render_xlsx(data: ReportData, *, inputs_as_of: Any = None, content_hash: str = "") -> bytes:
    """One sheet for the report's heading, then one per section."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    cover = workbook.active
    assert cover is not None
    cover.title = _sheet_title(data.title, set())
    cover.append([data.title])
    cover["A1"].font = Font(bold=True, size=14)
    cover.append([_neutralise(data.subject)])
    if data.period:
        cover.append([_neutralise(data.period)])
    if inputs_as_of is not None:
        cover.append([format_datetime(inputs_as_of)])
    if content_hash:
        cover.append(["SHA-256", content_hash])
    used = {cover.title}
    for section in data.sections:
        sheet = workbook.create_sheet(_sheet_title(section.title, used))
        used.add(sheet.title)
        sheet.append(list(section.columns))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in section.display_rows():
            sheet.append(
                [_neutralise(value) if isinstance(value, str) else _cell(value) for value in row]
            )
        if section.note:
            sheet.append([])
            sheet.append([_neutralise(section.note)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet_title(title: str, used: set[str]) -> str:
    clean = "".join(" " if char in "[]:*?/\\" else char for char in title)[:28] or "Sheet"
    candidate, number = clean, 2
    while candidate in used:
        candidate = f"{clean[:25]} {number}"
        number += 1
    return candidate


def render_csv(data: ReportData) -> bytes:
    """Every section one after the other: its title, its header, its rows, a blank line.
    UTF-8 with a BOM (so that spreadsheet programs read Chinese), formula-like cells
    neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_neutralise(data.title), _neutralise(data.subject), data.period])
    writer.writerow([])
    for section in data.sections:
        writer.writerow([_neutralise(section.title)])
        writer.writerow([_neutralise(column) for column in section.columns])
        for row in section.display_rows():
            writer.writerow([_text_cell(value) for value in row])
        writer.writerow([])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
