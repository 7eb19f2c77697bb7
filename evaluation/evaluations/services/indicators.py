"""A program's indicators: replacing the set (all rows or none) and the weighted total."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from programs.models import Program, TrainingObjective
from training_portal.core.history import history_context

from ...models import AnonymousAnswer, Indicator, Score
from .. import permissions
from .common import HUNDRED, TWO_PLACES, Errors, parse_decimal, parse_int

INDICATOR_FIELDS = (
    "category",
    "objective",
    "name",
    "description",
    "weight",
    "scale_min",
    "scale_max",
    "position",
)


def _used_indicator_ids(program: Program) -> set[int]:
    """Indicators already scored, by a named evaluation or in an anonymous answer."""
    used = set(
        Score.objects.filter(indicator__program=program).values_list("indicator_id", flat=True)
    )
    for scores in AnonymousAnswer.objects.filter(round__program=program).values_list(
        "scores", flat=True
    ):
        used.update(int(key) for key in scores)
    return used


@dataclass
class _Row:
    index: int
    instance: Indicator
    errors: Errors = field(default_factory=dict)


def _row_errors(program: Program, index: int, data: Mapping[str, Any], existing: Any) -> _Row:
    instance = existing or Indicator(program=program)
    errors: Errors = {}
    category = str(data.get("category") or "")
    if category not in Indicator.Category.values:
        errors["category"] = [_("Choose a category.")]
    instance.category = category
    objective = data.get("objective")
    if objective not in (None, ""):
        objective_id = (
            objective.pk if isinstance(objective, TrainingObjective) else parse_int(objective)
        )
        if (
            objective_id is None
            or not TrainingObjective.objects.filter(pk=objective_id, program=program).exists()
        ):
            errors["objective"] = [_("Choose a training objective of this program.")]
        else:
            instance.objective_id = objective_id
    else:
        instance.objective = None
    instance.name = str(data.get("name") or "").strip()
    if not instance.name:
        errors["name"] = [_("Give the indicator a name.")]
    elif len(instance.name) > 200:
        errors["name"] = [_("Keep the name under 200 characters.")]
    instance.description = str(data.get("description") or "").strip()
    weight = parse_decimal(data.get("weight"))
    # The range first: quantizing a huge number raises InvalidOperation.
    if weight is None or not 0 < weight <= HUNDRED or weight != weight.quantize(TWO_PLACES):
        errors["weight"] = [_("Give a weight above 0 % and at most 100 %, with two decimals.")]
    else:
        instance.weight = weight
    low, high = parse_int(data.get("scale_min", 1)), parse_int(data.get("scale_max", 5))
    if low is None or high is None or low < 0 or high > 100:
        errors["scale_max"] = [_("A scale runs between whole numbers from 0 to 100.")]
    elif low >= high:
        errors["scale_max"] = [_("The highest score must be above the lowest.")]
    else:
        instance.scale_min, instance.scale_max = low, high
    position = parse_int(data.get("position", index))
    instance.position = position if position is not None and 0 <= position < 32768 else index
    return _Row(index, instance, errors)


@transaction.atomic
def save_indicators(
    *, user: User, program: Program, rows: Sequence[Mapping[str, Any]]
) -> list[Indicator]:
    """Replace the program's indicators with `rows` (each a mapping of the indicator's fields,
    with "id" for an existing one): all of them or none. The weights must sum to exactly
    100 %, names are unique, objectives belong to the program, scales are sane; an indicator
    already scored can be neither removed nor rescaled.

    Errors: `ValidationError` keyed "<row index>.<field>", and NON_FIELD_ERRORS for the set.
    """
    if not permissions.can_edit_indicators(user, program):
        raise PermissionDenied
    # One save of a program's set at a time: locking its indicators alone would let a
    # concurrent save miss the rows the other adds (weights past 100 %, duplicate names).
    Program.objects.select_for_update().filter(pk=program.pk).first()
    current = {
        indicator.pk: indicator
        for indicator in Indicator.objects.select_for_update().filter(program=program)
    }
    old_names = {pk: indicator.name for pk, indicator in current.items()}
    used = _used_indicator_ids(program)
    errors: Errors = {}
    parsed: list[_Row] = []
    kept: set[int] = set()
    for index, data in enumerate(rows):
        pk = parse_int(data.get("id")) if data.get("id") not in (None, "") else None
        existing = None
        if pk is not None:
            existing = current.get(pk)
            if existing is None or pk in kept:
                errors[f"{index}.{NON_FIELD_ERRORS}"] = [_("This indicator is not the program's.")]
                continue
            kept.add(pk)
        old_scale = (existing.scale_min, existing.scale_max) if existing else None
        row = _row_errors(program, index, data, existing)
        if (
            existing is not None
            and existing.pk in used
            and old_scale != (row.instance.scale_min, row.instance.scale_max)
        ):
            row.errors.setdefault("scale_max", []).append(
                _("This indicator has been scored: its scale cannot change.")
            )
        parsed.append(row)
        for name, texts in row.errors.items():
            errors[f"{index}.{name}"] = texts
    names: dict[str, int] = {}
    for row in parsed:
        key = row.instance.name.casefold()
        if key and key in names:
            errors.setdefault(f"{row.index}.name", []).append(
                _("Two indicators cannot have the same name.")
            )
        names.setdefault(key, row.index)
    removed = [indicator for pk, indicator in current.items() if pk not in kept]
    for indicator in removed:
        if indicator.pk in used:
            errors.setdefault(NON_FIELD_ERRORS, []).append(
                _("“%(name)s” has been scored in evaluations and cannot be removed.")
                % {"name": indicator.name}
            )
    if not parsed:
        errors.setdefault(NON_FIELD_ERRORS, []).append(_("Give at least one indicator."))
    if not any(key.endswith(".weight") for key in errors):
        total = sum((row.instance.weight for row in parsed), Decimal(0))
        if parsed and total != HUNDRED:
            errors.setdefault(NON_FIELD_ERRORS, []).append(
                _("The weights add up to %(total)s %%; they must add up to exactly 100 %%.")
                % {"total": f"{total:.2f}"}
            )
    if errors:
        raise ValidationError(errors)
    with history_context(user=user.pk):
        Indicator.objects.filter(pk__in=[i.pk for i in removed]).delete()
        renamed = [
            row.instance
            for row in parsed
            if row.instance.pk and row.instance.name != old_names[row.instance.pk]
        ]
        if renamed:
            # A swap of two names would trip the unique constraint row by row.
            placeholders = [Indicator(pk=i.pk, name=f"~{i.pk}~") for i in renamed]
            Indicator.objects.bulk_update(placeholders, ["name"])
        for row in parsed:
            row.instance.save()
    return list(Indicator.objects.filter(program=program).select_related("objective"))


def weighted_total(indicators: Iterable[Indicator], scores: Mapping[int, int]) -> Decimal:
    """Sum of weight x (score - lowest) / (highest - lowest): 0 to 100 when weights sum to 100."""
    total = Decimal(0)
    for indicator in indicators:
        span = Decimal(indicator.scale_max - indicator.scale_min)
        total += indicator.weight * Decimal(scores[indicator.pk] - indicator.scale_min) / span
    return total.quantize(TWO_PLACES)
