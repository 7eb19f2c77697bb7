"""The admin site exports the selected accounts as CSV or XLSX (the tables kit), with the
columns of the former django-import-export resource, formulas neutralised."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from accounts.admin import EXPORT_FIELDS
from accounts.models import User

pytestmark = pytest.mark.django_db


def _export(admin: User, action: str, users: list[User]) -> bytes:
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client = Client()
    client.force_login(admin)
    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": action, "_selected_action": [user.pk for user in users]},
    )
    assert response.status_code == 200
    return response.content


def test_csv_export_of_the_selected_users(admin: User, outsider: User, other_user: User) -> None:
    outsider.full_name = "=cmd()"
    outsider.save()
    content = _export(admin, "export_users_csv", [outsider, other_user])
    assert content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert tuple(rows[0]) == EXPORT_FIELDS
    assert [row[1] for row in rows[1:]] == [other_user.email, outsider.email]
    assert rows[2][2] == "'=cmd()"


def test_xlsx_export_of_the_selected_users(admin: User, outsider: User) -> None:
    content = _export(admin, "export_users_xlsx", [outsider])
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert tuple(rows[0]) == EXPORT_FIELDS
    assert rows[1][:3] == [outsider.pk, outsider.email, outsider.full_name]
