"""The demo accounts' seeder (registered in accounts/hooks.py, order 100): the accounts, and
one line for each to sign in with, as `seed_demo` prints them."""

from __future__ import annotations

import pytest

from accounts.demo import DEMO_ACCOUNTS, seed_accounts
from accounts.models import User


@pytest.mark.django_db
def test_the_seeder_creates_the_accounts_and_says_how_to_sign_in() -> None:
    lines = seed_accounts()

    assert User.objects.filter(email__endswith="@demo.example").count() == len(DEMO_ACCOUNTS)
    assert lines[0] == "  admin@demo.example               demo-pass-2026  (Portal administrator)"
    assert lines[1] == (
        "  progadmin@demo.example           demo-pass-2026  (Program administrator, MIT-2025)"
    )
    assert lines[-1] == "  outsider@demo.example            demo-pass-2026  (no role)"
    assert seed_accounts() == lines
