"""A file that cannot be imported as a whole says why in the reader's language: the error is a
catalogued text (an id and parameters); a job stores those, not a sentence in the language of
whoever ran it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from accounts import imports
from accounts.models import User
from tests.clients import client_for
from training_portal.core import tables
from training_portal.core.models import Job

from .import_files import HEADER, csv_bytes, people

EMPTY = "The file is empty."
MISSING_ZH = "缺少列\uff1aemail, full_name\u3002"  # fullwidth colon and full stop
MISSING = (
    "Missing columns: email, full_name. The first row must name the columns email, full_name, "
    "preferred_language."
)

# what is read -> the message id, the English sentence, the start of the Chinese one
CASES: list[tuple[Callable[[], Any], str, str, str]] = [
    (lambda: imports.validate_rows([]), "import.empty", EMPTY, "文件为空"),
    (
        lambda: imports.validate_rows([HEADER]),
        "import.header_only",
        "The file has a header but no data rows.",
        "文件",
    ),
    (
        lambda: imports.validate_rows([["mail", "nom"], ["a@b.cn", "A"]]),
        "import.missing_columns",
        MISSING,
        MISSING_ZH,
    ),
    (
        lambda: tables.read_table(b"a,b", "list.txt"),
        "import.wrong_type",
        "Upload an .xlsx or .csv file.",
        "请上传",
    ),
    (
        lambda: tables.read_table(b"PK\x03\x04 not really", "x.xlsx"),
        "import.unreadable_xlsx",
        "The file is not a readable Excel (.xlsx) workbook.",
        "",
    ),
    (
        lambda: tables.read_table(b"\x80\xff", "x.csv"),
        "import.not_text",
        "The file is neither UTF-8 nor GB18030 text. Save it as CSV UTF-8 and try again.",
        "",
    ),
]


@pytest.mark.parametrize(("read", "message_id", "english", "chinese"), CASES)
def test_a_file_error_is_a_catalogued_text_read_in_either_language(
    read: Callable[[], Any], message_id: str, english: str, chinese: str
) -> None:
    with pytest.raises(tables.ImportFileError) as error:
        read()
    assert error.value.message.id == message_id  # type: ignore[union-attr]
    with translation.override("en"):
        assert str(error.value) == english
    with translation.override("zh-hans"):
        in_chinese = str(error.value)
    assert in_chinese != english and in_chinese.startswith(chinese)
    assert any("\u4e00" <= character <= "\u9fff" for character in in_chinese)


@pytest.mark.django_db
def test_too_many_rows_keeps_its_numbers_in_either_language(settings: Any) -> None:
    settings.IMPORT_MAX_ROWS = 5
    with pytest.raises(tables.ImportFileError) as error:
        imports.validate_rows([HEADER, *people(6)])
    assert error.value.message.stored_params() == {"count": 6, "max": 5}  # type: ignore[union-attr]
    with translation.override("en"):
        assert str(error.value) == "The file has 6 rows; at most 5 can be imported at once."
    with translation.override("zh-hans"):
        assert "6" in str(error.value) and "5" in str(error.value)
        assert "rows" not in str(error.value)


def test_a_file_too_large_says_its_limit_in_chinese(settings: Any) -> None:
    settings.IMPORT_MAX_FILE_SIZE = 1024 * 1024
    upload = SimpleUploadedFile("list.csv", b"x" * (1024 * 1024 + 1))
    with pytest.raises(tables.ImportFileError) as error:
        tables.check_upload(upload)
    assert error.value.message.id == "import.too_large"  # type: ignore[union-attr]
    with translation.override("zh-hans"):
        assert "1" in str(error.value) and "larger" not in str(error.value)


@pytest.mark.django_db
def test_a_failed_import_job_is_read_in_the_readers_language(
    admin: User, celery_eager: None, django_capture_on_commit_callbacks: Any
) -> None:
    """Alice runs the import in English; the job keeps the id, and a reader in Chinese reads
    the reason in Chinese."""
    api = APIClient()
    api.force_authenticate(admin)
    data = csv_bytes([["mail", "nom"], ["a@b.cn", "A"]])
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            reverse("api:user-import"),
            {"file": SimpleUploadedFile("list.csv", data), "send_invitations": "false"},
            format="multipart",
        )
    assert response.status_code == 202
    job = Job.objects.get()
    assert job.status == Job.Status.FAILED
    assert (job.error_id, job.error_params) == (
        "import.missing_columns",
        {"count": 2, "columns": "email, full_name", "expected": ", ".join(imports.USERS.keys)},
    )
    assert job.error == MISSING  # the fallback, in the language it was run in
    with translation.override("zh-hans"):
        assert job.display_error.startswith(MISSING_ZH)
    User.objects.filter(pk=admin.pk).update(preferred_language="zh-hans")
    admin.refresh_from_db()
    page = client_for(admin).get(reverse("core:job-detail", args=[job.pk])).content.decode()
    assert MISSING_ZH in page and "Missing column" not in page


@pytest.mark.django_db
def test_an_upload_refused_at_once_reads_in_the_requests_language(admin: User) -> None:
    api = APIClient()
    api.force_authenticate(admin)
    response = api.post(
        reverse("api:user-import"),
        {"file": SimpleUploadedFile("list.txt", b"a,b")},
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400
    [message] = response.data["file"]
    assert message != "Upload an .xlsx or .csv file." and "请上传" in message
