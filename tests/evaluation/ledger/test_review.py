"""Found in review: a year filter outside the calendar is a 400 (it was a 500), and points
that are no number (infinity) are a validation error, never a crash."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError

from evaluation.ledger import services
from programs import models as m
from tests.cast import Cast
from tests.clients import api_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("year", ["99999", "0", "-5"])
def test_a_year_outside_the_calendar_is_a_400(
    world: Cast, complete: Callable[..., m.Project], year: str
) -> None:
    complete("small")
    response = api_for(world.student.user).get(f"/api/v1/reward-entries/?year={year}")
    assert response.status_code == 400
    assert "year" in response.json()


def test_a_year_in_the_calendar_still_filters(
    world: Cast, complete: Callable[..., m.Project]
) -> None:
    project = complete("small")
    year = project.reward_entries.get(user=world.student.user).earned_on.year
    api = api_for(world.student.user)
    assert len(api.get(f"/api/v1/reward-entries/?year={year}").json()["results"]) == 1
    assert api.get(f"/api/v1/reward-entries/?year={year - 1}").json()["results"] == []


def test_infinite_points_are_a_validation_error(world: Cast) -> None:
    with pytest.raises(ValidationError) as caught:
        services.set_reward_rules(
            user=world.program_admin,
            program=world.program,
            points={"small": float("inf"), "medium": 3, "big": 5},
        )
    assert list(caught.value.message_dict) == ["small"]
