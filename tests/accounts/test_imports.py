from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.test import APIClient

from accounts import imports
from accounts.models import User
from training_portal.core import tables
from training_portal.core.models import Job

from .import_files import HEADER, csv_bytes, people, with_three_bad_rows, xlsx_bytes

pytestmark = pytest.mark.django_db


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


@pytest.mark.parametrize(
    ("encoding", "bom"), [("utf-8", False), ("utf-8", True), ("gb18030", False)]
)
def test_csv_is_read_in_utf8_with_or_without_bom_and_in_gb18030(encoding: str, bom: bool) -> None:
    rows = tables.read_table(csv_bytes([HEADER, *people(3)], encoding, bom), "people.csv")
    assert rows[0] == HEADER
    assert rows[2][1] == "学生1号"


@given(st.text(), st.booleans())
def test_any_utf8_text_with_or_without_bom_decodes_back(text: str, bom: bool) -> None:
    data = text.encode("utf-8")
    assert tables.decode_csv((b"\xef\xbb\xbf" if bom else b"") + data) == text


def test_chinese_headers_are_understood() -> None:
    rows = tables.read_table(
        xlsx_bytes([["邮箱", "姓名", "语言"], ["a@b.cn", "王芳", "中文"]]), "x.xlsx"
    )
    result = imports.validate_rows(rows)
    assert result.errors == []
    assert result.rows == [
        {"email": "a@b.cn", "full_name": "王芳", "preferred_language": "zh-hans"}
    ]


def test_every_bad_row_is_reported_with_its_number_and_reason() -> None:
    result = imports.validate_rows(tables.read_table(csv_bytes(with_three_bad_rows()), "x.csv"))
    assert [(e.row, e.column) for e in result.errors] == [
        (4, "email"),
        (8, "full_name"),
        (12, "preferred_language"),
    ]
    assert "valid email" in result.errors[0].message
    assert "klingon" in result.errors[2].message


def test_existing_accounts_and_repeated_rows_are_errors(outsider: User) -> None:
    rows = [
        HEADER,
        [outsider.email.upper(), "Oscar", "en"],
        ["n@x.cn", "N", ""],
        ["N@x.cn", "N2", ""],
    ]
    result = imports.validate_rows(rows)
    assert [(e.row, e.column) for e in result.errors] == [(2, "email"), (4, "email")]
    assert "already exists" in result.errors[0].message
    assert "row 3" in result.errors[1].message


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([], "empty"),
        ([HEADER], "no data rows"),
        ([["mail", "name"], ["a@b.cn", "A"]], "Missing column"),
    ],
)
def test_unreadable_files_are_refused_as_a_whole(rows: list[list[str]], message: str) -> None:
    with pytest.raises(tables.ImportFileError, match=message):
        imports.validate_rows(rows)


def test_a_file_that_is_not_a_workbook_is_refused() -> None:
    with pytest.raises(tables.ImportFileError, match="xlsx"):
        tables.read_table(b"PK\x03\x04 not really", "x.xlsx")


def test_too_many_rows_are_refused(settings) -> None:  # type: ignore[no-untyped-def]
    settings.IMPORT_MAX_ROWS = 5
    with pytest.raises(tables.ImportFileError, match="at most 5"):
        imports.validate_rows([HEADER, *people(6)])


def test_error_report_has_a_bom_and_neutralises_formulas() -> None:
    report = tables.error_report([tables.RowError(3, "email", '=HYPERLINK("x")', "bad")])
    data = report.read()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[1][:3] == ["3", "email", '\'=HYPERLINK("x")']


def test_an_admin_imports_a_gb18030_csv_through_the_ui(
    admin_client_: Client, celery_eager: None, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    data = csv_bytes([HEADER, *people(50)], "gb18030")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_.post(
            reverse("accounts:user-import"), {"file": upload("名单.csv", data)}
        )
    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("core:job-detail", args=[job.pk])
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert (job.progress_done, job.progress_total) == (50, 50)
    assert User.objects.filter(email__endswith="@example.cn").count() == 50
    assert User.objects.get(email="p1@example.cn").full_name == "学生1号"
    page = admin_client_.get(response["Location"])
    assert "50 accounts created." in page.content.decode()


def test_an_admin_imports_an_xlsx_through_the_api(
    admin, celery_eager: None, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    api = APIClient()
    api.force_authenticate(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            reverse("api:user-import"),
            {
                "file": upload("people.xlsx", xlsx_bytes([HEADER, *people(50)])),
                "send_invitations": "true",
            },
            format="multipart",
        )
    assert response.status_code == 202, response.data
    job = api.get(reverse("api:job-detail", args=[response.data["id"]])).data
    assert job["status"] == "succeeded"
    assert job["result"]["created"] == 50
    assert (
        User.objects.filter(email__endswith="@example.cn", password__startswith="!").count() == 50
    )


def test_invitations_are_mailed_in_each_users_language(
    admin, celery_eager: None, django_capture_on_commit_callbacks, mailoutbox
) -> None:  # type: ignore[no-untyped-def]
    api = APIClient()
    api.force_authenticate(admin)
    rows = [HEADER, ["zh@example.cn", "张三", "zh-hans"], ["en@example.cn", "Ann", "en"]]
    with django_capture_on_commit_callbacks(execute=True):
        api.post(
            reverse("api:user-import"),
            {"file": upload("p.csv", csv_bytes(rows)), "send_invitations": "true"},
            format="multipart",
        )
    invitations = [m for m in mailoutbox if m.to[0] != admin.email]
    assert sorted(m.to[0] for m in invitations) == ["en@example.cn", "zh@example.cn"]
    assert all("/accounts/password/reset/" in m.body for m in invitations)
    zh = next(m for m in invitations if m.to[0] == "zh@example.cn")
    assert zh.subject != "Your Training Portal account"  # in Chinese
    # The admin is told in the portal and by e-mail that the import ended.
    assert [m.subject for m in mailoutbox if m.to[0] == admin.email] == ["User import finished"]


def test_a_file_with_three_bad_rows_imports_nothing_and_reports_them(
    admin_client_: Client, celery_eager: None, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    before = User.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        admin_client_.post(
            reverse("accounts:user-import"),
            {"file": upload("p.xlsx", xlsx_bytes(with_three_bad_rows()))},
        )
    job = Job.objects.get()
    assert job.status == Job.Status.FAILED
    assert User.objects.count() == before
    assert job.result["bad_rows"] == [4, 8, 12]
    page = admin_client_.get(reverse("core:job-detail", args=[job.pk])).content.decode()
    assert "3 rows have errors; nothing was imported." in page
    report = admin_client_.get(reverse("core:job-download", args=[job.pk, "result"]))
    lines = b"".join(report.streaming_content).decode("utf-8-sig").splitlines()
    assert [line.split(",")[0] for line in lines[1:]] == ["4", "8", "12"]


def test_a_wrong_file_type_is_refused_before_queuing(admin_client_: Client) -> None:
    response = admin_client_.post(
        reverse("accounts:user-import"), {"file": upload("x.pdf", b"%PDF")}
    )
    assert response.status_code == 200
    assert "Upload an .xlsx or .csv file." in response.content.decode()
    assert not Job.objects.exists()


def test_the_api_answers_bad_input_with_field_errors(admin) -> None:  # type: ignore[no-untyped-def]
    api = APIClient()
    api.force_authenticate(admin)
    assert api.post(reverse("api:user-import"), {}, format="multipart").data.keys() == {"file"}
    response = api.post(
        reverse("api:user-import"), {"file": upload("x.txt", b"a")}, format="multipart"
    )
    assert response.status_code == 400
    assert "file" in response.data


def test_an_outsider_cannot_import(outsider_client: Client, outsider) -> None:  # type: ignore[no-untyped-def]
    assert outsider_client.get(reverse("accounts:user-import")).status_code == 403
    api = APIClient()
    api.force_authenticate(outsider)
    response = api.post(
        reverse("api:user-import"), {"file": upload("p.csv", b"email")}, format="multipart"
    )
    assert response.status_code == 403
    assert not Job.objects.exists()


def test_a_counsellor_cannot_import(counsellor) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(counsellor)
    assert client.get(reverse("accounts:user-import")).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in_or_refused(client: Client) -> None:
    assert client.get(reverse("accounts:user-import")).status_code == 302
    assert APIClient().post(reverse("api:user-import"), {}, format="multipart").status_code == 401


def test_the_template_workbook_imports_cleanly(admin_client_: Client) -> None:
    response = admin_client_.get(reverse("accounts:user-import-template"))
    assert response["Content-Disposition"].endswith('"user-import-template.xlsx"')
    result = imports.validate_rows(tables.read_table(response.content, "t.xlsx"))
    assert result.errors == [] and len(result.rows) == 1


def test_a_row_with_a_bad_language_is_also_checked_for_a_repeated_email() -> None:
    rows = [
        HEADER,
        ["not-an-email", "A", "en"],
        ["same@example.cn", "B", "en"],
        ["x@example.cn", "C", "en"],
        ["y@example.cn", "D", "en"],
        ["same@example.cn", "E", "klingon"],
    ]
    result = imports.validate_rows(tables.read_table(csv_bytes(rows), "x.csv"))
    assert [(e.row, e.column) for e in result.errors] == [
        (2, "email"),
        (6, "preferred_language"),
        (6, "email"),
    ]
    assert "row 3" in result.errors[2].message
