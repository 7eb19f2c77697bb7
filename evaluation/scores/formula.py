"""The partner performance formula: five components, each from 0 to 100, and their weights.

A partner's score for a period is the weighted mean of its components (weights in percent,
summing to 100), rounded to two places. Every component is computed from raw numbers that
the run stores (`PartnerScore.inputs`), so `score_from_inputs(inputs, weights)` gives back
exactly the stored score. Where a component has no data, it takes `NEUTRAL` (neither reward
nor penalty), and the page says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

__all__ = [
    "COMPONENTS",
    "DEFAULT_BOTTOM_SHARE",
    "DEFAULT_THRESHOLD",
    "DEFAULT_WEIGHTS",
    "NEUTRAL",
    "PENALTIES",
    "Component",
    "clean_weights",
    "components_from_inputs",
    "score_from_inputs",
]

TWO_PLACES = Decimal("0.01")
HUNDRED = Decimal(100)
ZERO = Decimal(0)
#: The value of a component without data (no evaluations, no responsibilities, no
#: expenditures, no points in the organisation's kind).
NEUTRAL = Decimal("50.00")
#: Points taken off the findings component per open finding about the organisation.
PENALTIES = {"major": Decimal(10), "critical": Decimal(25)}
#: Below this score a partner is recommended for probation.
DEFAULT_THRESHOLD = Decimal("40.00")
#: The share (percent) of each kind's partners, from the bottom, that is "in the bottom share".
DEFAULT_BOTTOM_SHARE = Decimal("10.00")


@dataclass(frozen=True)
class Component:
    key: str
    label: str | Promise
    description: str | Promise


COMPONENTS = (
    Component(
        "evaluations",
        gettext_lazy("Evaluations"),
        gettext_lazy(
            "The mean weighted total (0 to 100) of the evaluations about the organisation, its "
            "placements and its tutors in rounds whose period overlaps the period: named "
            "evaluations, and the anonymous answers of closed rounds, from a round's %(min)s "
            "answers about the organisation on (fewer are left out, so that no single answer "
            "can be inferred). No evaluation: %(neutral)s."
        ),
    ),
    Component(
        "responsibilities",
        gettext_lazy("Fulfilled responsibilities"),
        gettext_lazy(
            "The share (in %%) of the responsibilities the organisation holds as an active "
            "partner of a program without an open “responsibility unfulfilled” finding. "
            "No responsibility held: %(neutral)s."
        ),
    ),
    Component(
        "findings",
        gettext_lazy("Open major and critical findings"),
        gettext_lazy(
            "100, less %(major)s per open major finding and %(critical)s per open critical "
            "finding about the organisation found by the end of the period; never below 0."
        ),
    ),
    Component(
        "funds",
        gettext_lazy("Fund compliance"),
        gettext_lazy(
            "The share (in %%) of the expenditures on the organisation's budget lines in the "
            "period (rejected ones aside) without a fund finding about the expenditure or its "
            "line (dismissed findings aside). No expenditure: %(neutral)s."
        ),
    ),
    Component(
        "rewards",
        gettext_lazy("Reward points"),
        gettext_lazy(
            "The organisation's reward points in the period (reversals included) as a "
            "percentage of the most points earned by an organisation of the same kind. "
            "No points in its kind: %(neutral)s."
        ),
    ),
)
COMPONENT_KEYS = tuple(component.key for component in COMPONENTS)
DEFAULT_WEIGHTS: dict[str, int] = {
    "evaluations": 35,
    "responsibilities": 20,
    "findings": 20,
    "funds": 15,
    "rewards": 10,
}


def describe(component: Component) -> str:
    """The component's description with the figures filled in."""
    return str(component.description) % {
        "min": settings.EVALUATION_MIN_ANONYMOUS,
        "neutral": NEUTRAL,
        "major": PENALTIES["major"],
        "critical": PENALTIES["critical"],
    }


def _dec(value: Any) -> Decimal:
    return Decimal(str(value))


def _q(value: Decimal) -> Decimal:
    return value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def _share(good: Decimal, total: Decimal) -> Decimal:
    return _q(good * HUNDRED / total) if total > 0 else NEUTRAL


def _clamp(value: Decimal) -> Decimal:
    return min(HUNDRED, max(ZERO, value))


def components_from_inputs(inputs: Mapping[str, Any]) -> dict[str, Decimal]:
    """Each component (0-100, two places) from the raw numbers of `inputs`."""
    ev = inputs["evaluations"]
    count = int(ev["named_count"]) + int(ev["anonymous_count"])
    total = _dec(ev["named_sum"]) + _dec(ev["anonymous_sum"])
    evaluations = _q(total / count) if count else NEUTRAL

    held = int(inputs["responsibilities"]["held"])
    unfulfilled = int(inputs["responsibilities"]["unfulfilled"])
    responsibilities = _share(Decimal(held - unfulfilled), Decimal(held))

    found = inputs["findings"]
    penalty = (
        int(found["major"]) * PENALTIES["major"] + int(found["critical"]) * PENALTIES["critical"]
    )
    findings = _q(_clamp(HUNDRED - penalty))

    spent = int(inputs["funds"]["expenditures"])
    flagged = int(inputs["funds"]["flagged"])
    funds = _share(Decimal(spent - flagged), Decimal(spent))

    points = _dec(inputs["rewards"]["points"])
    best = _dec(inputs["rewards"]["best_of_kind"])
    rewards = _q(_clamp(points * HUNDRED / best)) if best > 0 else NEUTRAL

    return {
        "evaluations": evaluations,
        "responsibilities": responsibilities,
        "findings": findings,
        "funds": funds,
        "rewards": rewards,
    }


def score_from_inputs(inputs: Mapping[str, Any], weights: Mapping[str, Any]) -> Decimal:
    """The score (0-100, two places) from stored inputs and weights: the weighted mean of
    the components."""
    components = components_from_inputs(inputs)
    weight = {key: _dec(weights[key]) for key in COMPONENT_KEYS}
    total_weight = sum(weight.values(), ZERO)
    weighted = sum((weight[key] * components[key] for key in COMPONENT_KEYS), ZERO)
    return _q(weighted / total_weight)


def clean_weights(weights: Mapping[str, Any] | None) -> dict[str, str]:
    """Weights as stored (decimal strings), checked: one per component, none negative, summing
    to 100. Raises ValidationError({"weights": [...]})."""
    if weights is None:
        weights = DEFAULT_WEIGHTS
    errors: list[str] = []
    unknown = sorted(set(weights) - set(COMPONENT_KEYS))
    missing = [key for key in COMPONENT_KEYS if key not in weights]
    if unknown:
        errors.append(_("“%(key)s” is not a component of the formula.") % {"key": unknown[0]})
    if missing:
        errors.append(_("Give a weight for “%(key)s”.") % {"key": missing[0]})
    cleaned: dict[str, Decimal] = {}
    for key in COMPONENT_KEYS:
        if key not in weights:
            continue
        try:
            value = _dec(weights[key])
        except (InvalidOperation, ValueError, TypeError):
            errors.append(_("The weight of “%(key)s” must be a number.") % {"key": key})
            continue
        if not value.is_finite() or value < 0 or value > HUNDRED:
            errors.append(_("The weight of “%(key)s” must be from 0 to 100.") % {"key": key})
            continue
        cleaned[key] = _q(value)
    if not errors and sum(cleaned.values(), ZERO) != HUNDRED:
        errors.append(
            _("The weights must sum to 100 (they sum to %(sum)s).")
            % {"sum": sum(cleaned.values(), ZERO)}
        )
    if errors:
        raise ValidationError({"weights": errors})
    return {key: str(value) for key, value in cleaned.items()}
