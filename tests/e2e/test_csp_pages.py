"""Pages that bring their own scripts (Swagger UI, Django admin) work under our CSP."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.demo import seed_demo_accounts

from .conftest import screenshot
from .test_sign_in_and_import import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_swagger_ui_and_the_admin_site_render_without_policy_violations(
    page: Any, live_server: Any
) -> None:
    seed_demo_accounts()
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/api/docs/")
    # The first operation (Swagger UI renders the long list progressively).
    page.get_by_text("/api/v1/audit-rules/").first.wait_for()
    screenshot(page, "api-docs")
    page.goto(f"{live_server.url}/admin/accounts/user/")
    page.get_by_text("admin@demo.example").first.wait_for()
    page.goto(f"{live_server.url}/admin/accounts/user/add/")
    page.get_by_label("E-mail address").wait_for()
    violations = [e for e in page.csp_errors if "Content Security Policy" in e]
    assert violations == []
