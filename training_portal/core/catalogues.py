"""Check that the translation catalogues are complete: `python -m training_portal.core.catalogues`.

Every message of the Simplified Chinese catalogue must be translated and not fuzzy; the
English catalogue may leave messages empty (the source text is English).
"""

from __future__ import annotations

import sys
from pathlib import Path

import polib

REQUIRED_LOCALES = ("zh_Hans",)


def incomplete_entries(locale_dir: Path) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    for locale in REQUIRED_LOCALES:
        for po_path in sorted((locale_dir / locale / "LC_MESSAGES").glob("*.po")):
            catalogue = polib.pofile(str(po_path))
            missing = [entry.msgid for entry in catalogue.untranslated_entries()]
            missing += [f"(fuzzy) {entry.msgid}" for entry in catalogue.fuzzy_entries()]
            if missing:
                problems[str(po_path)] = missing
    return problems


def main(argv: list[str]) -> int:
    locale_dir = Path(argv[1] if len(argv) > 1 else "locale")
    problems = incomplete_entries(locale_dir)
    for path, missing in problems.items():
        print(f"{path}: {len(missing)} message(s) need a translation:")
        for msgid in missing:
            print(f"  {msgid!r}")
    if not problems:
        print("Translation catalogues are complete.")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
