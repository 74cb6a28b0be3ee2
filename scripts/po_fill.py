"""Fill translations into a .po catalog from a JSON file of {msgid: translation} (a contributor's shortcut;
translators can equally use Poedit or any gettext editor).

    .venv/bin/python scripts/po_fill.py locales/zh_CN/LC_MESSAGES/playground.po my_translations.json

Entries not in the JSON file are left as they are; a filled entry loses its fuzzy flag. Prints how many
entries are still untranslated.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po


def fill(po: Path, translations: dict[str, str]) -> int:
    """Write `translations` into `po`; returns how many entries remain untranslated."""
    with po.open("rb") as f:
        catalog = read_po(f)
    for message in catalog:
        if message.id and message.id in translations:
            message.string = translations[message.id]
            message.flags.discard("fuzzy")
    with po.open("wb") as f:
        write_po(f, catalog, width=0, sort_by_file=True, ignore_obsolete=True)
    return sum(1 for m in catalog if m.id and (not m.string or m.fuzzy))


if __name__ == "__main__":
    left = fill(Path(sys.argv[1]), json.loads(Path(sys.argv[2]).read_text(encoding="utf-8")))
    print(f"{sys.argv[1]}: {left} still untranslated")
