"""Uploaded files are checked by reading them, not by their name or first bytes.

A file named `.pdf` that starts with `%PDF-` proves nothing: each check here opens the file
with the library that would read it (pypdf, openpyxl, Pillow; a DOCX as the zip of XML parts
Word writes) and answers with translated messages, or none when the file is usable.
`upload_errors` applies the checks every upload shares: accepted type, size, readable.
"""

from __future__ import annotations

import io
import logging
import warnings
import zipfile
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from pathlib import PurePath
from typing import IO, Any
from xml.parsers import expat

from django.utils.translation import gettext as _

__all__ = [
    "PARSED",
    "readable_errors",
    "size_errors",
    "upload_errors",
    "validate_docx",
    "validate_image",
    "validate_pdf",
    "validate_xlsx",
]

Upload = Any  # a Django File (UploadedFile, ContentFile) or any binary file object
Check = Callable[[Upload], list[str]]

#: Largest part of an Office file we agree to unpack (a small zip can inflate enormously).
MAX_PART_BYTES = 64 * 1024 * 1024


@contextmanager
def _rewound(upload: Upload) -> Iterator[IO[bytes]]:
    """The upload from its first byte, rewound again afterwards for whoever stores it."""
    upload.seek(0)
    try:
        yield upload
    finally:
        upload.seek(0)


@contextmanager
def _quiet() -> Iterator[None]:
    """Parsers warn (and log) about damaged files; the check reports them itself."""
    loggers = [logging.getLogger(name) for name in ("pypdf", "PIL", "openpyxl")]
    levels = [logger.level for logger in loggers]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for logger in loggers:
            logger.setLevel(logging.CRITICAL)
        try:
            yield
        finally:
            for logger, level in zip(loggers, levels, strict=True):
                logger.setLevel(level)


def validate_pdf(upload: Upload) -> list[str]:
    """A PDF that pypdf can open and whose pages it can read (not locked by a password)."""
    from pypdf import PasswordType, PdfReader

    unreadable = [_("The file is not a readable PDF.")]
    with _rewound(upload) as stream, _quiet():
        try:
            reader = PdfReader(stream, strict=False)
            if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
                return [_("The PDF is protected by a password: upload it without one.")]
            if len(reader.pages) == 0:
                return [_("The PDF has no pages.")]
            for page in reader.pages:
                page.get_contents()
        except Exception:
            return unreadable
    return []


def _part_names(archive: zipfile.ZipFile) -> set[str]:
    return {info.filename for info in archive.infolist()}


def _xml_part_ok(archive: zipfile.ZipFile, name: str) -> bool:
    """The part is well-formed XML without a DTD (no entity tricks), and not oversized."""
    info = archive.getinfo(name)
    if info.file_size > MAX_PART_BYTES:
        return False
    parser = expat.ParserCreate()

    def refuse(*_args: Any) -> None:
        raise ValueError("DTD in an Office part")

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    try:
        with archive.open(info) as part:
            parser.ParseFile(part)
    except (expat.ExpatError, ValueError):
        return False
    return True


def validate_docx(upload: Upload) -> list[str]:
    """A Word document: a zip with its content types and a well-formed main document."""
    unreadable = [_("The file is not a readable Word (.docx) document.")]
    with _rewound(upload) as stream:
        try:
            with zipfile.ZipFile(stream) as archive:
                parts = _part_names(archive)
                if "[Content_Types].xml" not in parts or "word/document.xml" not in parts:
                    return unreadable
                if not all(
                    _xml_part_ok(archive, name)
                    for name in ("[Content_Types].xml", "word/document.xml")
                ):
                    return unreadable
        except (zipfile.BadZipFile, OSError, EOFError, KeyError, RuntimeError):
            return unreadable
    return []


def validate_xlsx(upload: Upload) -> list[str]:
    """An Excel workbook that openpyxl opens (read-only) with at least one worksheet."""
    from openpyxl import load_workbook

    unreadable = [_("The file is not a readable Excel (.xlsx) workbook.")]
    with _rewound(upload) as stream, _quiet():
        try:
            workbook = load_workbook(io.BytesIO(stream.read()), read_only=True, data_only=True)
        except Exception:
            return unreadable
        try:
            if not workbook.worksheets:
                return unreadable
        finally:
            workbook.close()
    return []


#: The formats Pillow names for each image extension we accept.
_IMAGE_FORMATS = {".png": {"PNG"}, ".jpg": {"JPEG", "MPO"}, ".jpeg": {"JPEG", "MPO"}}


def validate_image(upload: Upload, *, suffix: str = "") -> list[str]:
    """A PNG or JPEG image that Pillow can read (of the type its name says, when given)."""
    from PIL import Image

    unreadable = [_("The file is not a readable image.")]
    expected = _IMAGE_FORMATS.get(suffix, {"PNG", "JPEG", "MPO"})
    with _rewound(upload) as stream, _quiet():
        try:
            with Image.open(stream) as image:
                if image.format not in expected:
                    return unreadable
                image.verify()
        except Exception:
            return unreadable
    return []


#: The checks by extension.
PARSED: dict[str, Check] = {
    ".pdf": validate_pdf,
    ".docx": validate_docx,
    ".xlsx": validate_xlsx,
    ".png": lambda upload: validate_image(upload, suffix=".png"),
    ".jpg": lambda upload: validate_image(upload, suffix=".jpg"),
    ".jpeg": lambda upload: validate_image(upload, suffix=".jpeg"),
}


def suffix_of(upload: Upload) -> str:
    return PurePath(str(getattr(upload, "name", "") or "").lower()).suffix


def size_errors(upload: Upload, *, max_bytes: int) -> list[str]:
    size = getattr(upload, "size", None)
    if size is None:
        return [_("The file could not be read.")]
    if size == 0:
        return [_("The file is empty.")]
    if size > max_bytes:
        return [_("The file is larger than %(size)d MB.") % {"size": max(1, max_bytes // 2**20)}]
    return []


def readable_errors(upload: Upload) -> list[str]:
    """What the check of the file's type (by its extension) finds; [] for other types."""
    check = PARSED.get(suffix_of(upload))
    return check(upload) if check is not None else []


def upload_errors(
    upload: Upload, *, accept: Collection[str] | None, max_bytes: int, wrong_type: str
) -> list[str]:
    """Why an uploaded file is refused: a type not in `accept` (extensions such as ".pdf";
    None accepts any, still checking those `PARSED` knows), its size, then its content."""
    suffix = suffix_of(upload)
    if accept is not None and suffix not in accept:
        return [wrong_type]
    problems = size_errors(upload, max_bytes=max_bytes)
    if problems:
        return problems  # never parse what is empty or too large
    return readable_errors(upload)
