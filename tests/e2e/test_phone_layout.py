"""On a 390 px phone, table pages never scroll sideways: tables scroll inside their own box,
long unbroken strings wrap, and money does not break inside a number."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from accounts.demo import seed_demo_accounts
from accounts.models import User
from tests.programs.factories import BudgetLineFactory, ExpenditureFactory

from .conftest import screenshot
from .test_sign_in_and_import import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG = "Hyperspectralimagingphantomsforqualitycontrol" * 4  # no space, no hyphen


def widths(page: Any) -> tuple[int, int]:
    return page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )


def test_table_pages_fit_a_390_px_phone(page: Any, live_server: Any) -> None:
    seed_demo_accounts()
    line = BudgetLineFactory(title=LONG, amount=Decimal("1234567890.00"))
    ExpenditureFactory.create_batch(
        3,
        line=line,
        payee=LONG,
        submitted_by=User.objects.get(email="admin@demo.example"),
        amount=Decimal("987654.32"),
    )
    sign_in(page, live_server.url)
    page.set_viewport_size({"width": 390, "height": 844})
    for name, path in [
        ("budget-lines", reverse("programs:budget-line-list")),
        ("expenditures", reverse("programs:expenditure-list")),
        ("users", reverse("accounts:user-list")),
        ("calendar", reverse("inspections:calendar")),
    ]:
        page.goto(f"{live_server.url}{path}")
        page.locator("main").wait_for()
        screenshot(page, f"phone-{name}")
        scroll_width, viewport = widths(page)
        assert scroll_width <= viewport, (name, scroll_width, viewport)

    page.goto(f"{live_server.url}{reverse('programs:budget-line-list')}")
    money = page.locator("td.money").first
    assert money.evaluate("cell => getComputedStyle(cell).whiteSpace") == "nowrap"
    assert "¥1,234,567,890.00" in money.inner_text()
