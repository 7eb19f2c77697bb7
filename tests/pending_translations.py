"""Load the PO fragments of locale/pending/ into the Chinese translation of the test process.

Each branch writes its new Chinese messages to locale/pending/<branch>.po and the lead merges
them into the catalogue; until then, tests that read those messages in Chinese call
`load_pending_translations()` (afterwards it changes nothing: the messages are the same).
"""

from __future__ import annotations

import gettext
import tempfile
from pathlib import Path

import polib
from django.utils.translation import trans_real

PENDING = Path(__file__).resolve().parent.parent / "locale" / "pending"
_loaded: set[str] = set()


def load_pending_translations(language: str = "zh-hans") -> None:
    if language in _loaded:
        return
    translation = trans_real.translation(language)
    for po_path in sorted(PENDING.glob("*.po")):
        with tempfile.TemporaryDirectory() as folder:
            mo_path = Path(folder) / "pending.mo"
            polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
            with mo_path.open("rb") as handle:
                translation.merge(gettext.GNUTranslations(handle))
    _loaded.add(language)
