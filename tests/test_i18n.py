"""Both languages are complete for everything this issue shows."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from training_portal.core.catalogues import incomplete_entries

ROOT = Path(__file__).resolve().parent.parent


def test_the_chinese_catalogue_has_no_untranslated_or_fuzzy_message() -> None:
    assert incomplete_entries(ROOT / "locale") == {}


@pytest.mark.django_db
def test_the_login_page_speaks_chinese_when_asked(client: Client) -> None:
    response = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    assert response["Content-Language"] == "zh-hans"
    assert "登录" in response.content.decode()


@pytest.mark.django_db
def test_a_users_preferred_language_wins_over_the_browser(outsider: User) -> None:
    outsider.preferred_language = "zh-hans"
    outsider.save()
    client = Client()
    client.force_login(outsider)
    response = client.get(reverse("core:home"), HTTP_ACCEPT_LANGUAGE="en")
    assert response["Content-Language"] == "zh-hans"
    assert 'lang="zh-Hans"' in response.content.decode()
