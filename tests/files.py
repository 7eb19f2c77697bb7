"""Real small files made in the tests (and fakes that only look like them), for uploads."""

from __future__ import annotations

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook
from PIL import Image
from pypdf import PdfWriter

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
DOCUMENT = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    "<w:body><w:p><w:r><w:t>Minutes</w:t></w:r></w:p></w:body></w:document>"
)


def pdf_bytes(
    *, pages: int = 1, password: str = "", owner_password: str = "", size: int = 0
) -> bytes:
    """A real PDF of blank pages; locked with `password`, restricted by `owner_password`
    alone, or padded (in its metadata) to exactly `size` bytes."""

    def make(padding: int) -> bytes:
        writer = PdfWriter()
        for _ in range(pages):
            writer.add_blank_page(width=200, height=200)
        if padding:
            writer.add_metadata({"/Padding": "0" * padding})
        if password or owner_password:
            writer.encrypt(
                user_password=password,
                owner_password=owner_password or password,
                algorithm="RC4-128",
            )
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue()

    content = make(0)
    if size:
        padding = 1
        for _ in range(5):  # the padding's own length changes the offsets a little
            content = make(padding)
            if len(content) == size:
                break
            padding += size - len(content)
        assert len(content) == size, (len(content), size)
    return content


def docx_bytes(*, document: str = DOCUMENT) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("word/document.xml", document)
    return out.getvalue()


def xlsx_bytes(rows: list[list[object]] | None = None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows or [["name"], ["value"]]:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def image_bytes(kind: str = "PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(out, kind)
    return out.getvalue()


def zip_bytes() -> bytes:
    """A zip that is no Office file."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("notes.txt", "not a document")
    return out.getvalue()


FAKE_PDF = b"%PDF-1.7\n" + b"\x00garbage" * 20


def upload(name: str, content: bytes, content_type: str = "") -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name, content, content_type=content_type or "application/octet-stream"
    )


def pdf(name: str = "agreement.pdf", *, size: int = 0) -> SimpleUploadedFile:
    return upload(name, pdf_bytes(size=size), "application/pdf")
