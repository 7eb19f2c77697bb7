"""The inspection calendar names its weekdays and month in the reader's language and has
seven columns of the same width."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import User
from tests.clients import client_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "monday", "sunday", "month"),
    [("en", "Mon", "Sun", "March 2026"), ("zh-hans", "星期一", "星期日", "2026年3月")],
)
def test_the_calendar_speaks_the_readers_language(
    admin: User, language: str, monday: str, sunday: str, month: str
) -> None:
    admin.preferred_language = language
    admin.save()
    response = client_for(admin).get(reverse("inspections:calendar"), {"month": "2026-03"})
    assert response.status_code == 200
    assert [str(name) for name in response.context["weekdays"]][::6] == [monday, sunday]
    page = response.content.decode()
    assert f'<h2 class="h5 mb-0 mx-2">{month}</h2>' in page
    assert "calendar-table" in page
