"""The shared kit for stored files: how a download is served, and how an upload is checked."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from django.core.files.base import ContentFile
from django.http import Http404
from django.urls import reverse
from django.utils import translation
from pypdf import PdfWriter

from accounts.models import User
from tests.clients import api_for, client_for
from tests.files import (
    FAKE_PDF,
    docx_bytes,
    image_bytes,
    pdf_bytes,
    upload,
    xlsx_bytes,
    zip_bytes,
)
from training_portal.core.files import content_disposition, download_url, serve_file
from training_portal.core.models import Job
from training_portal.core.uploads import (
    upload_errors,
    validate_docx,
    validate_pdf,
    validate_xlsx,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """The messages are compared in English, whatever an earlier test left active."""
    with translation.override("en"):
        yield


def stored_job(name: str, content: bytes) -> Job:
    job = Job.objects.create(kind="test.kind")
    job.result_file.save(name, ContentFile(content))
    return job


def body(response: Any) -> bytes:
    content = b"".join(response.streaming_content)
    response.close()
    return content


# ---- Serving -------------------------------------------------------------------------------


def test_a_file_is_served_as_an_attachment_typed_by_its_name_and_never_sniffed() -> None:
    job = stored_job("summary.pdf", pdf_bytes())
    response = serve_file(job.result_file)
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        "attachment; filename=\"summary.pdf\"; filename*=UTF-8''summary.pdf"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert body(response) == pdf_bytes()


def test_a_chinese_file_name_is_kept_in_utf8_with_an_ascii_fallback() -> None:
    job = stored_job("实习协议.pdf", pdf_bytes())
    response = serve_file(job.result_file, filename="实习协议 2026.pdf")
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="____ 2026.pdf"; ')
    assert disposition.endswith("filename*=UTF-8''" + quote("实习协议 2026.pdf", safe=""))
    response.close()


def test_an_unknown_type_is_served_as_bytes() -> None:
    job = stored_job("dump.weird", b"\x00\x01")
    response = serve_file(job.result_file)
    assert response["Content-Type"] == "application/octet-stream"
    response.close()


def test_quotes_and_backslashes_cannot_break_the_header() -> None:
    header = content_disposition('a"b\\c.pdf')
    assert header.startswith('attachment; filename="a_b_c.pdf"; ')
    assert "filename*=UTF-8''a%22b%5Cc.pdf" in header


def test_no_file_or_a_file_lost_by_the_storage_is_a_404() -> None:
    job = Job.objects.create(kind="test.kind")
    with pytest.raises(Http404):
        serve_file(job.result_file)
    lost = stored_job("lost.csv", b"a,b")
    os.remove(lost.result_file.path)
    with pytest.raises(Http404):
        serve_file(lost.result_file)


def test_download_urls_are_absolute_from_the_request_or_the_site_url(
    settings: Any, rf: Any
) -> None:
    settings.SITE_URL = "https://portal.example.org/"
    assert (
        download_url("api:job-download", 7) == "https://portal.example.org/api/v1/jobs/7/download/"
    )
    request = rf.get("/", HTTP_HOST="testserver")
    assert download_url("api:job-download", 7, request=request) == (
        "http://testserver/api/v1/jobs/7/download/"
    )
    assert download_url("api:job-download", 7, present="") is None


def test_media_files_are_not_served_from_a_public_url(client: Any) -> None:
    job = stored_job("secret.csv", b"name\nsecret")
    assert client.get(f"/media/{job.result_file.name}").status_code == 404


# ---- Checking uploads ----------------------------------------------------------------------


def owner_restricted_pdf() -> bytes:
    """Encrypted with an owner password only: anyone may open it."""
    writer = PdfWriter()
    writer.add_blank_page(width=100, height=100)
    writer.encrypt(user_password="", owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("agreement.pdf", pdf_bytes()),
        ("three-pages.pdf", pdf_bytes(pages=3)),
        ("restricted.pdf", owner_restricted_pdf()),
        ("minutes.docx", docx_bytes()),
        ("students.xlsx", xlsx_bytes()),
        ("scan.png", image_bytes("PNG")),
        ("photo.JPG", image_bytes("JPEG")),
        ("notes.txt", b"any text is kept as it is"),
    ],
)
def test_real_files_are_accepted(name: str, content: bytes) -> None:
    assert upload_errors(upload(name, content), accept=None, max_bytes=2**20, wrong_type="") == []


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("agreement.pdf", FAKE_PDF, "The file is not a readable PDF."),
        ("agreement.pdf", b"%PDF-1.4\n%%EOF", "The file is not a readable PDF."),
        ("agreement.pdf", pdf_bytes()[:200], "The file is not a readable PDF."),
        (
            "locked.pdf",
            pdf_bytes(password="secret"),
            "The PDF is protected by a password: upload it without one.",
        ),
        ("renamed-zip.docx", zip_bytes(), "The file is not a readable Word (.docx) document."),
        (
            "broken.docx",
            docx_bytes(document="<w:document><w:body>"),
            "The file is not a readable Word (.docx) document.",
        ),
        (
            "entities.docx",
            docx_bytes(document='<!DOCTYPE d [<!ENTITY a "aaaa">]><d>&a;</d>'),
            "The file is not a readable Word (.docx) document.",
        ),
        ("random.xlsx", os.urandom(512), "The file is not a readable Excel (.xlsx) workbook."),
        ("word.xlsx", docx_bytes(), "The file is not a readable Excel (.xlsx) workbook."),
        ("jpeg-named.png", image_bytes("JPEG"), "The file is not a readable image."),
        ("cut.png", image_bytes("PNG")[:20], "The file is not a readable image."),
        ("empty.pdf", b"", "The file is empty."),
    ],
)
def test_files_that_only_look_right_are_refused_with_a_plain_message(
    name: str, content: bytes, message: str
) -> None:
    assert upload_errors(upload(name, content), accept=None, max_bytes=2**20, wrong_type="") == [
        message
    ]


def test_type_then_size_are_checked_before_the_file_is_opened() -> None:
    big = upload("big.pdf", FAKE_PDF * 100)
    assert upload_errors(big, accept={".pdf"}, max_bytes=2**20 // 1024, wrong_type="") == [
        "The file is larger than 1 MB."
    ]
    assert upload_errors(
        upload("a.exe", b"MZ"), accept={".pdf"}, max_bytes=2**20, wrong_type="Only PDF."
    ) == ["Only PDF."]


def test_the_checks_leave_the_file_rewound_for_storage() -> None:
    for check, name, content in [
        (validate_pdf, "a.pdf", pdf_bytes()),
        (validate_docx, "a.docx", docx_bytes()),
        (validate_xlsx, "a.xlsx", xlsx_bytes()),
    ]:
        file = upload(name, content)
        assert check(file) == []
        assert file.read() == content


# ---- Job files: their owner and portal administrators ---------------------------------------


@pytest.mark.parametrize(("name", "status"), [("owner", 200), ("admin", 200), ("other", 404)])
def test_a_jobs_input_and_result_files_by_role(
    outsider: User, admin: User, other_user: User, name: str, status: int
) -> None:
    job = Job.objects.create(kind="test.kind", owner=outsider, input_name="学生名单.xlsx")
    job.input_file.save("1-input.xlsx", ContentFile(xlsx_bytes()))
    job.result_file.save("errors.csv", ContentFile(b"row,problem\n"))
    user = {"owner": outsider, "admin": admin, "other": other_user}[name]
    page, api = client_for(user), api_for(user)
    responses = [
        page.get(reverse("core:job-download", args=[job.pk, "input"])),
        page.get(reverse("core:job-download", args=[job.pk, "result"])),
        api.get(reverse("api:job-input", args=[job.pk])),
        api.get(reverse("api:job-download", args=[job.pk])),
    ]
    assert [response.status_code for response in responses] == [status] * 4
    if status == 200:
        xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        assert [response["Content-Type"] for response in responses] == [
            xlsx,
            "text/csv",
            xlsx,
            "text/csv",
        ]
        assert responses[0]["Content-Disposition"].endswith(quote("学生名单.xlsx", safe=""))
        for response in responses:
            response.close()


def test_the_job_api_shows_absolute_file_urls(outsider: User) -> None:
    job = Job.objects.create(kind="test.kind", owner=outsider, input_name="list.csv")
    job.input_file.save("list.csv", ContentFile(b"email\n"))
    data = api_for(outsider).get(reverse("api:job-detail", args=[job.pk])).json()
    assert data["input_file_url"] == "http://testserver" + reverse("api:job-input", args=[job.pk])
    assert data["result_file_url"] is None
