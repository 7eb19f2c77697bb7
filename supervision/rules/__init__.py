"""The audit rules, registered in one place.

A rule is a set-based query over the data of some programs that yields `Hit`s, each naming
its program. It has a description shown to users, a default severity, thresholds
administrators can change (portal-wide and per program) and a switch. The catalogue is in
`catalogue.py`; other apps (e.g. originality screening) add rules with `register()`
from their `AppConfig.ready()`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy


@dataclass(frozen=True)
class Threshold:
    """A number an administrator may change: its default, label and accepted range."""

    default: int | Decimal
    label: str | Promise
    minimum: int | Decimal = 0
    maximum: int | Decimal = 100_000
    decimal: bool = False

    def parse(self, value: Any) -> int | Decimal:
        """The value as its type; ValueError when it is not a number in range."""
        number: int | Decimal
        if self.decimal:
            number = Decimal(str(value))
            if not number.is_finite():
                raise ValueError(value)
        else:
            if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
                raise ValueError(value)
            number = int(str(value).strip()) if isinstance(value, str) else int(value)
        if not self.minimum <= number <= self.maximum:
            raise ValueError(value)
        return number


@dataclass(frozen=True)
class Scope:
    """What one audit task looks at: some programs (sharing the rule's settings), on one day,
    with the rule's thresholds."""

    program_ids: tuple[int, ...]
    today: dt.date
    thresholds: Mapping[str, Any]

    def __getitem__(self, name: str) -> Any:
        return self.thresholds[name]


class Hit(NamedTuple):
    """One problem found: its subject, who and what it concerns, and the facts."""

    subject_id: int
    #: The program the problem belongs to (one of the scope's).
    program_id: int
    details: dict[str, Any]
    evidence: dict[str, Any]
    student_id: int | None = None
    tutor_id: int | None = None
    organization_id: int | None = None
    #: Distinguishes two problems of one rule on one subject (e.g. academic vs practice).
    key: str = ""


@dataclass(frozen=True)
class Rule:
    code: str
    label: str | Promise
    description: str | Promise
    severity: str
    subject: str  # "app_label.model" of the subject
    find: Callable[[Scope], Iterable[Hit]]
    message: Callable[[Mapping[str, Any]], str]
    thresholds: Mapping[str, Threshold] = field(default_factory=dict)
    evidence_labels: Mapping[str, str | Promise] = field(default_factory=dict)
    #: Fund findings are never shown to students.
    about_funds: bool = False

    def defaults(self) -> dict[str, Any]:
        return {name: threshold.default for name, threshold in self.thresholds.items()}


_rules: dict[str, Rule] = {}


def register(rule: Rule) -> Rule:
    if rule.code in _rules and _rules[rule.code] is not rule:
        raise ValueError(f"audit rule {rule.code!r} is registered twice")
    _rules[rule.code] = rule
    return rule


def all_rules() -> list[Rule]:
    """Every registered rule, in registration order."""
    return list(_rules.values())


def get_rule(code: str) -> Rule | None:
    return _rules.get(code)


def rule_choices() -> list[tuple[str, str]]:
    return [(rule.code, str(rule.label)) for rule in _rules.values()]


#: The code of the findings inspectors record (Finding.INSPECTION_RULE): no rule of the
#: audit finds them, yet they are listed, counted and filtered with the others.
INSPECTION_CODE = "inspection"
INSPECTION_LABEL = gettext_lazy("Recorded by an inspector")


def rule_label(code: str) -> str:
    """The name of a finding's rule in the active language (the code of a rule no longer
    registered)."""
    if code == INSPECTION_CODE:
        return str(INSPECTION_LABEL)
    rule = get_rule(code)
    return str(rule.label) if rule else code


def finding_rule_choices() -> list[tuple[str, str]]:
    """The rules a finding can come from: the audit's and the inspectors'."""
    return [*rule_choices(), (INSPECTION_CODE, str(INSPECTION_LABEL))]
