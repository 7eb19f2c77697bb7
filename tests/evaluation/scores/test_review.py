"""Found in review: a threshold or bottom share far out of range is a validation error when
a run is started, never a crash (quantizing it raised InvalidOperation)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from accounts.models import User
from evaluation.models import PartnerScoreRun
from evaluation.scores import services

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("field", ["threshold", "bottom_share"])
def test_a_huge_percentage_is_a_validation_error(admin: User, field: str) -> None:
    percentage: dict[str, Any] = {field: "1e50"}
    with pytest.raises(ValidationError) as caught:
        services.start_partner_scores(
            user=admin,
            period_start=dt.date(2025, 1, 1),
            period_end=dt.date(2025, 12, 31),
            label="2025",
            **percentage,
        )
    assert list(caught.value.message_dict) == [field]
    assert not PartnerScoreRun.objects.exists()
