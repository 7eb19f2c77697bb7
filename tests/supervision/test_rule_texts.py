"""Every registered audit rule speaks Chinese: its label, description, threshold labels and
evidence labels are all in the zh_Hans catalogue (texts marked under an alias of
`gettext_lazy` are missed by makemessages and stay English)."""

from __future__ import annotations

import re

from django.utils import translation

from supervision.rules import all_rules
from supervision.rules.catalogue import RULES

CJK = re.compile(r"[\u3400-\u9fff]")


def _texts() -> list[tuple[str, str, object]]:
    """(rule code, where, lazy text) of every text of every registered rule."""
    texts: list[tuple[str, str, object]] = []
    for rule in all_rules():
        texts.append((rule.code, "label", rule.label))
        texts.append((rule.code, "description", rule.description))
        for name, threshold in rule.thresholds.items():
            texts.append((rule.code, f"threshold {name}", threshold.label))
        for name, label in rule.evidence_labels.items():
            texts.append((rule.code, f"evidence {name}", label))
    return texts


def test_the_registry_holds_the_catalogue_and_the_evaluation_rule() -> None:
    codes = {rule.code for rule in all_rules()}
    assert {rule.code for rule in RULES} <= codes
    assert "evaluation_overdue" in codes


def test_every_rule_text_is_translated_to_chinese() -> None:
    untranslated = []
    for code, where, text in _texts():
        with translation.override("en"):
            english = str(text)
        with translation.override("zh-hans"):
            chinese = str(text)
        if chinese == english and not CJK.search(chinese):
            untranslated.append(f"{code} {where}: {english!r}")
    assert not untranslated, f"{len(untranslated)} untranslated:\n" + "\n".join(untranslated)
