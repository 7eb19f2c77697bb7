"""The tables kit: spreadsheets in (imports) and out (error reports, exports).

Reading: the first sheet of an XLSX or a CSV file (UTF-8 with or without BOM, else GB18030,
which also covers GBK and GB2312), every cell a stripped string. An `ImportSpec` says what
an import reads (its job kind, columns and the other headers each column may have); it maps
a header to column positions, keeps the non-empty rows with their spreadsheet numbers (the
header is row 1) and passes each row through a form. Every problem of a row is a `RowError`;
a file that cannot be used at all raises `ImportFileError`. Writing: the CSV error report of
an import, a template workbook, and CSV/XLSX exports, every text cell neutralised so that
spreadsheet programs never run it as a formula.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django import forms
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from .jobs import finish_job
from .texts import Text, text
from .uploads import readable_errors
from .validation import upload_error

if TYPE_CHECKING:
    from openpyxl.workbook import Workbook

    from .models import Job

__all__ = [
    "ACCEPTED_EXTENSIONS",
    "PROGRESS_EVERY",
    "Checked",
    "Column",
    "ImportFileError",
    "ImportSpec",
    "Progress",
    "Row",
    "RowError",
    "check_upload",
    "decode_csv",
    "error_report",
    "export_csv",
    "export_xlsx",
    "fail_with_row_errors",
    "neutralise",
    "norm",
    "parse_rows",
    "peek_table",
    "read_table",
    "template_workbook",
]

ACCEPTED_EXTENSIONS = (".csv", ".xlsx")
#: What an upload must start with: an XLSX is a zip archive; a CSV is any text.
SIGNATURES = {".xlsx": b"PK\x03\x04", ".csv": b""}
#: Progress is reported every so many rows.
PROGRESS_EVERY = 200
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Progress = Callable[[int, int], None]


class ImportFileError(Exception):
    """The file as a whole cannot be read (format, encoding, header, size).

    Its message is a `Text` (a catalogued id and parameters: a job stores those and each reader
    reads it in their own language), or a sentence already in the language of the request
    that checked the upload. `str()` renders it in the active language."""

    def __init__(self, message: Text | str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


@dataclass
class RowError:
    row: int
    column: str
    value: str
    message: str


# ---- Reading -------------------------------------------------------------------------------


def decode_csv(data: bytes) -> str:
    """UTF-8 with or without BOM, else GB18030 (which also covers GBK and GB2312)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise ImportFileError(text("import.not_text")) from exc


def read_table(data: bytes, filename: str) -> list[list[str]]:
    """All rows of the first sheet (XLSX) or of the CSV file, as strings."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        return _read_xlsx(data)
    if name.endswith(".csv"):
        content = decode_csv(data)
        try:
            dialect: Any = csv.Sniffer().sniff(content[:4096], delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        rows = csv.reader(io.StringIO(content), dialect)
        return [[cell.strip() for cell in row] for row in rows]
    raise ImportFileError(text("import.wrong_type"))


def _open_xlsx(data: bytes) -> Workbook:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ImportFileError(text("import.unreadable_xlsx")) from exc


def _cells(values: Iterable[Any]) -> list[str]:
    return ["" if cell is None else str(cell).strip() for cell in values]


def _read_xlsx(data: bytes) -> list[list[str]]:
    workbook = _open_xlsx(data)
    try:
        return [_cells(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
    finally:
        workbook.close()


def peek_table(data: bytes, filename: str) -> list[list[str]]:
    """The header and the first data row of an XLSX without reading all of it; a whole CSV."""
    if not filename.lower().endswith(".xlsx"):
        return read_table(data, filename)
    workbook = _open_xlsx(data)
    rows: list[list[str]] = []
    try:
        for values in workbook.worksheets[0].iter_rows(values_only=True):
            row = _cells(values)
            if rows and any(row):
                return [*rows, row]
            rows.append(row)
    finally:
        workbook.close()
    return rows


# ---- What an import reads ------------------------------------------------------------------


def norm(value: str) -> str:
    """Header and choice spellings compare without case, "_", "-", "*" or extra spaces."""
    cleaned = value.strip().lower().replace("_", " ").replace("-", " ").rstrip("*")
    return " ".join(cleaned.split())


@dataclass(frozen=True)
class Column:
    """A column of an import: its key (the header of the template), what the page says of it,
    whether it must be there, and the other headers it may have."""

    key: str
    help: Promise | str = ""
    required: bool = False
    aliases: tuple[str, ...] = ()

    @property
    def headers(self) -> list[str]:
        return [self.key, *self.aliases]

    @property
    def chinese(self) -> str:
        """The Chinese header the page suggests next to the English one."""
        return next((alias for alias in self.headers if not alias.isascii()), "")


@dataclass(frozen=True)
class ImportSpec:
    """One kind of import: its job kind (also its task's name), labels and columns."""

    kind: str
    label: Promise | str
    columns: tuple[Column, ...]
    title: Promise | str = ""
    sheet: str = "import"
    #: Rows of the template workbook after its header, to show how cells are written.
    examples: tuple[tuple[str, ...], ...] = ()

    @property
    def keys(self) -> list[str]:
        return [column.key for column in self.columns]

    @property
    def required(self) -> list[str]:
        return [column.key for column in self.columns if column.required]

    @property
    def header_aliases(self) -> dict[str, str]:
        # Reversed: when two columns share a header, the first column has it.
        return {norm(alias): c.key for c in reversed(self.columns) for alias in c.headers}

    def column(self, key: str) -> Column:
        return next(column for column in self.columns if column.key == key)

    def map_header(self, header: list[str]) -> dict[str, int]:
        """Column key -> index; raises ImportFileError when a required column is missing."""
        aliases = self.header_aliases
        positions: dict[str, int] = {}
        for index, title in enumerate(header):
            column = aliases.get(norm(title))
            if column and column not in positions:
                positions[column] = index
        missing = [column for column in self.required if column not in positions]
        if missing:
            raise ImportFileError(
                text(
                    "import.missing_columns",
                    count=len(missing),
                    columns=", ".join(missing),
                    expected=", ".join(self.keys),
                )
            )
        return positions

    def table(self, rows: list[list[str]]) -> tuple[dict[str, int], list[tuple[int, list[str]]]]:
        """The column positions and the non-empty data rows with their numbers."""
        if not any(any(row) for row in rows):
            raise ImportFileError(text("import.empty"))
        positions = self.map_header(rows[0])
        data = [(number, row) for number, row in enumerate(rows[1:], start=2) if any(row)]
        if not data:
            raise ImportFileError(text("import.header_only"))
        if len(data) > settings.IMPORT_MAX_ROWS:
            raise ImportFileError(
                text("import.too_many_rows", count=len(data), max=settings.IMPORT_MAX_ROWS)
            )
        return positions, data


def cells_of(cells: list[str], positions: dict[str, int]) -> dict[str, str]:
    """The row's cells by column key ("" for a cell the row does not have)."""
    return {key: (cells[index] if index < len(cells) else "") for key, index in positions.items()}


@dataclass
class Row:
    """One valid-looking row: its number, the cells as written, the cleaned values, and the
    records its cells name, found while validating."""

    number: int
    raw: dict[str, str]
    data: dict[str, Any]
    resolved: dict[str, Any] = field(default_factory=dict)


@dataclass
class Checked:
    rows: list[Row] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    def fail(self, row: Row, column: str, message: str) -> None:
        self.errors.append(RowError(row.number, column, row.raw.get(column, ""), message))


def form_errors(number: int, form: forms.Form, raw: dict[str, str]) -> list[RowError]:
    """A row form's errors, one per message, on the columns they concern."""
    return [
        RowError(number, column, raw.get(column, ""), str(message))
        for column, messages in form.errors.items()
        for message in messages
    ]


def parse_rows(
    table: list[list[str]],
    spec: ImportSpec,
    form_class: type[forms.Form],
    progress: Progress | None = None,
) -> Checked:
    """Each row through its form; rows with an error are reported, the others kept."""
    positions, data = spec.table(table)
    checked = Checked()
    for done, (number, cells) in enumerate(data, start=1):
        raw = cells_of(cells, positions)
        form = form_class(data=raw)
        if form.is_valid():
            checked.rows.append(Row(number, raw, form.cleaned_data))
        else:
            checked.errors.extend(form_errors(number, form, raw))
        if progress and (done % PROGRESS_EVERY == 0 or done == len(data)):
            progress(done, len(data))
    return checked


# ---- Uploads -------------------------------------------------------------------------------


def check_upload(upload: UploadedFile, spec: ImportSpec | None = None) -> None:
    """Refuse at once what is not a usable file: its extension, size, a damaged workbook; with
    a `spec`, also a file whose first bytes do not match its type, an empty file or one
    without the spec's columns."""
    name = (upload.name or "").lower()
    if not name.endswith(ACCEPTED_EXTENSIONS):
        raise ImportFileError(text("import.wrong_type"))
    if upload.size and upload.size > settings.IMPORT_MAX_FILE_SIZE:
        raise ImportFileError(
            text("import.too_large", size=settings.IMPORT_MAX_FILE_SIZE // (1024 * 1024))
        )
    # A workbook is opened now, so that a damaged one is refused before it is queued.
    problems = readable_errors(upload)
    if problems:
        raise ImportFileError(problems[0])
    if spec is None:
        return
    wrong = upload_error(
        upload, signatures=SIGNATURES, wrong_type=_("Upload an .xlsx or .csv file.")
    )
    if wrong:
        raise ImportFileError(wrong)
    data = upload.read()
    upload.seek(0)
    spec.table(peek_table(data, upload.name or ""))


# ---- Writing -------------------------------------------------------------------------------


def neutralise(value: str) -> str:
    """A cell starting with = + - @ (or a tab or carriage return) would be run as a formula
    by spreadsheet programs: it is written after a quote."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str | Promise):
        return neutralise(str(value))
    return value


def error_report(errors: list[RowError]) -> ContentFile[bytes]:
    """CSV (UTF-8 with BOM, so that Excel shows Chinese) listing every bad row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_("Row"), _("Column"), _("Value"), _("Problem")])
    for error in errors:
        writer.writerow(
            [error.row, error.column, neutralise(error.value), neutralise(str(error.message))]
        )
    return ContentFile(("\ufeff" + buffer.getvalue()).encode("utf-8"))


def fail_with_row_errors(job: Job, errors: list[RowError]) -> None:
    """Finish an import job that saved nothing: the bad rows, the first errors, the report."""
    bad_rows = sorted({error.row for error in errors})
    finish_job(
        job,
        succeeded=False,
        error=text("import.rows_have_errors", count=len(bad_rows)),
        result={
            "created": 0,
            "bad_rows": bad_rows,
            "errors": [error.__dict__ for error in errors[:500]],
            "error_count": len(errors),
        },
        result_file=("import-errors.csv", error_report(errors)),
    )


def template_workbook(spec: ImportSpec) -> bytes:
    """An XLSX whose first row names the columns (and example rows), for users to fill in."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = spec.sheet
    sheet.append(spec.keys)
    for index, column in enumerate(spec.columns, start=1):
        sheet.cell(row=1, column=index).font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(index)].width = max(14, len(column.key) + 4)
    for example in spec.examples:
        sheet.append(list(example))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_csv(header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> bytes:
    """A CSV (UTF-8 with BOM, so that Excel shows Chinese) of `rows` under `header`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_cell(title) for title in header])
    for row in rows:
        writer.writerow([_csv_cell(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def export_xlsx(header: Sequence[Any], rows: Iterable[Sequence[Any]], *, sheet: str) -> bytes:
    """An XLSX of `rows` under `header` (dates and numbers stay typed)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(sheet)
    worksheet.append([_cell(title) for title in header])
    for row in rows:
        worksheet.append([_xlsx_cell(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _local(value: Any) -> Any:
    """An aware datetime as the local wall-clock time (naive); any other value as it is."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return timezone.localtime(value).replace(tzinfo=None)
    return value


def _csv_cell(value: Any) -> Any:
    value = _local(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return _cell(value)


def _xlsx_cell(value: Any) -> Any:
    # openpyxl refuses time-zone aware datetimes: the local wall-clock time is written.
    return _cell(_local(value))
