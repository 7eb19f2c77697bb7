"""The formula: components from raw numbers, neutral values without data, the penalty floor,
the weighted score to two places, and the weights' validation."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from evaluation.scores import formula
from evaluation.scores.services import bottom_count


def inputs(**parts: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "evaluations": {
            "named_count": 0,
            "named_sum": "0",
            "anonymous_count": 0,
            "anonymous_sum": "0",
        },
        "responsibilities": {"held": 0, "unfulfilled": 0},
        "findings": {"major": 0, "critical": 0},
        "funds": {"expenditures": 0, "flagged": 0},
        "rewards": {"points": "0", "best_of_kind": "0"},
    }
    base.update(parts)
    return base


def test_without_data_every_component_is_neutral_but_findings() -> None:
    components = formula.components_from_inputs(inputs())
    assert components == {
        "evaluations": formula.NEUTRAL,
        "responsibilities": formula.NEUTRAL,
        "findings": Decimal("100.00"),
        "funds": formula.NEUTRAL,
        "rewards": formula.NEUTRAL,
    }
    assert formula.score_from_inputs(inputs(), formula.DEFAULT_WEIGHTS) == Decimal("60.00")


def test_components_from_raw_numbers() -> None:
    raw = inputs(
        evaluations={
            "named_count": 2,
            "named_sum": "140.00",
            "anonymous_count": 5,
            "anonymous_sum": "350.00",
        },
        responsibilities={"held": 3, "unfulfilled": 1},
        findings={"major": 1, "critical": 1},
        funds={"expenditures": 3, "flagged": 1},
        rewards={"points": "6.00", "best_of_kind": "12.00"},
    )
    assert formula.components_from_inputs(raw) == {
        "evaluations": Decimal("70.00"),
        "responsibilities": Decimal("66.67"),
        "findings": Decimal("65.00"),
        "funds": Decimal("66.67"),
        "rewards": Decimal("50.00"),
    }
    # (35*70 + 20*66.67 + 20*65 + 15*66.67 + 10*50) / 100 = 65.8345
    assert formula.score_from_inputs(raw, formula.DEFAULT_WEIGHTS) == Decimal("65.83")


def test_findings_never_go_below_zero_and_reversed_points_never_below_zero() -> None:
    raw = inputs(
        findings={"major": 3, "critical": 4},
        rewards={"points": "-5.00", "best_of_kind": "10.00"},
    )
    components = formula.components_from_inputs(raw)
    assert components["findings"] == Decimal("0.00")
    assert components["rewards"] == Decimal("0.00")


def test_weights_change_the_score() -> None:
    raw = inputs(findings={"major": 0, "critical": 4})
    all_findings = dict.fromkeys(formula.DEFAULT_WEIGHTS, 0) | {"findings": 100}
    assert formula.score_from_inputs(raw, all_findings) == Decimal("0.00")
    no_findings = formula.DEFAULT_WEIGHTS | {"findings": 0, "evaluations": 55}
    assert formula.score_from_inputs(raw, no_findings) == Decimal("50.00")


@pytest.mark.parametrize(
    "weights",
    [
        formula.DEFAULT_WEIGHTS | {"rewards": 0},  # sums to 90
        formula.DEFAULT_WEIGHTS | {"rewards": -10, "funds": 35},
        formula.DEFAULT_WEIGHTS | {"luck": 0},
        {key: value for key, value in formula.DEFAULT_WEIGHTS.items() if key != "funds"},
        formula.DEFAULT_WEIGHTS | {"rewards": "many"},
    ],
)
def test_bad_weights_are_refused(weights: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as caught:
        formula.clean_weights(weights)
    assert "weights" in caught.value.message_dict


def test_weights_are_stored_as_exact_decimals() -> None:
    assert formula.clean_weights(None) == {
        "evaluations": "35.00",
        "responsibilities": "20.00",
        "findings": "20.00",
        "funds": "15.00",
        "rewards": "10.00",
    }
    assert sum(formula.DEFAULT_WEIGHTS.values()) == 100


@pytest.mark.parametrize(
    ("size", "share", "expected"),
    [
        (1, "10", 0),
        (2, "10", 0),
        (3, "10", 1),
        (10, "10", 1),
        (25, "10", 2),
        (4, "50", 2),
        (3, "0", 1),
    ],
)
def test_the_bottom_share_is_at_least_one_from_three_partners(
    size: int, share: str, expected: int
) -> None:
    assert bottom_count(size, Decimal(share)) == expected
