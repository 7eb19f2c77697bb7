"""The acceptance path in a real browser: sign in, switch language, import with a progress bar."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from accounts.demo import seed_demo_accounts
from accounts.models import User
from tests.accounts.import_files import HEADER, csv_bytes, people, with_three_bad_rows, xlsx_bytes

from .conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Any, base: str) -> None:
    page.goto(f"{base}/")
    page.get_by_label("E-mail address").fill("admin@demo.example")
    page.get_by_label("Password").fill(settings.DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")


def test_an_admin_signs_in_and_imports_users_watching_the_progress(
    page: Any, live_server: Any, worker: subprocess.Popen[bytes], tmp_path: Path
) -> None:
    seed_demo_accounts()
    base = live_server.url
    sign_in(page, base)
    assert page.get_by_role("heading", name="Recent jobs").is_visible()
    screenshot(page, "admin-home-en")

    xlsx = tmp_path / "people.xlsx"
    xlsx.write_bytes(xlsx_bytes([HEADER, *people(50, "xl")]))
    page.get_by_role("link", name="Import users").first.click()
    page.get_by_label("File (.xlsx or .csv)").set_input_files(str(xlsx))
    page.get_by_role("button", name="Start the import").click()
    page.wait_for_url("**/jobs/*/")
    assert page.locator("progress.job-progress").is_visible()
    page.get_by_text("50 accounts created.").wait_for()  # htmx polling brought it
    assert page.locator("#job-progress").get_attribute("hx-trigger") is None
    screenshot(page, "import-succeeded-en")
    assert User.objects.filter(email__startswith="xl").count() == 50

    # The same in Chinese, with a GB18030 CSV that has three bad rows.
    with page.expect_navigation():
        page.locator("#language-select").select_option("zh-hans")
    page.goto(f"{base}/accounts/users/import/")
    assert page.get_by_role("heading", name="导入用户").is_visible()
    bad = tmp_path / "名单.csv"
    bad.write_bytes(csv_bytes(with_three_bad_rows(), "gb18030"))
    page.locator("input[type=file]").set_input_files(str(bad))
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url("**/jobs/*/")
    page.locator("#job-progress .alert-danger").wait_for()
    rows = page.locator("#job-progress tbody tr")
    assert rows.count() == 3
    assert [rows.nth(i).locator("td").first.inner_text() for i in range(3)] == ["4", "8", "12"]
    screenshot(page, "import-failed-zh")
    assert not User.objects.filter(email__startswith="ok").exists()
    assert page.csp_errors == []
