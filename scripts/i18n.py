"""Extract the app's translatable strings and update the gettext catalogs in locales/ (Babel).

    bash scripts/i18n.sh                  # every domain, every language (zh_CN to start)
    bash scripts/i18n.sh playground       # one page's catalog only
    bash scripts/i18n.sh zh_CN app        # one language, one domain

One domain per page (`locales/<lang>/LC_MESSAGES/<page>.po`: pages/<page>.py and lib/<page>/) plus `app`
(app.py, ui/, pages/home.py, lib/common/). New strings arrive untranslated (msgstr ""), vanished ones are
dropped, changed ones are kept as fuzzy suggestions. Translate with Poedit, Lokalize or any editor, then run
the tests: tests/unit/test_catalogs.py fails while a string has no translation. The app compiles the .po
files itself at start-up (ui/i18n.py).
"""
from __future__ import annotations

import io
import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ROOT / "locales"
LANGUAGES = ("zh_CN",)
# _ and ngettext in pages and ui; N_ marks constants; Message and LearnerError (and its subclasses that are
# raised with a template) carry lib's sentences to the page edge.
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "Message": None, "LearnerError": None,
            "ImageError": None, "LinkError": None}


def domains() -> list[str]:
    """`app` and one domain per page."""
    return ["app"] + sorted(p.stem for p in (ROOT / "pages").glob("*.py") if p.stem != "home")


def sources(domain: str) -> list[Path]:
    """The Python files whose strings belong to `domain`."""
    if domain == "app":
        roots = [ROOT / "app.py", ROOT / "ui", ROOT / "pages" / "home.py", ROOT / "lib" / "common"]
    else:
        roots = [ROOT / "pages" / f"{domain}.py", ROOT / "lib" / domain]
    files = [r for r in roots if r.is_file()] + [f for r in roots if r.is_dir() for f in sorted(r.rglob("*.py"))]
    return sorted(files)


def extract(domain: str) -> Catalog:
    """Every translatable string of `domain`, with its source locations and translator comments."""
    catalog = Catalog(project="pytorch-explainer", charset="utf-8")
    for path in sources(domain):
        for line, message, comments, context in extract_from_file(
                "python", path, keywords=KEYWORDS, comment_tags=("TRANSLATORS:",), strip_comment_tags=True):
            catalog.add(message, None, [(str(path.relative_to(ROOT)), line)], auto_comments=comments,
                        context=context)
    return catalog


def po_path(domain: str, language: str) -> Path:
    return LOCALES / language / "LC_MESSAGES" / f"{domain}.po"


def read(path: Path) -> Catalog:
    with path.open("rb") as f:
        return read_po(f)


def update(domain: str, language: str) -> int:
    """Bring `domain`'s catalog for `language` up to date with the code; returns the untranslated count."""
    template, path = extract(domain), po_path(domain, language)
    if path.exists():
        catalog = read(path)
        catalog.update(template, update_header_comment=False)
    else:
        catalog = Catalog(locale=language, project="pytorch-explainer", charset="utf-8")
        catalog.update(template)
        path.parent.mkdir(parents=True, exist_ok=True)
    out = io.BytesIO()
    write_po(out, catalog, width=0, sort_by_file=True, ignore_obsolete=True, include_previous=False)
    if not path.exists() or _without_dates(path.read_bytes()) != _without_dates(out.getvalue()):
        path.write_bytes(out.getvalue())  # only real changes: no diff for a new creation date alone
    return len(untranslated(catalog))


def _without_dates(po: bytes) -> bytes:
    return re.sub(rb'"(POT-Creation-Date|PO-Revision-Date): [^"]*"', b"", po)


def untranslated(catalog: Catalog) -> list[str]:
    """Message ids with no translation yet (empty or only a fuzzy suggestion)."""
    def missing(m) -> bool:
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        return m.fuzzy or not all(strings)
    return [m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id and missing(m)]


def main(args: list[str]) -> None:
    """Arguments: languages (zh_CN) and/or domains (app, playground...); none means all of them."""
    languages = [a for a in args if a not in domains()] or list(LANGUAGES)
    chosen = [a for a in args if a in domains()] or domains()
    for language in languages:
        for domain in chosen:
            print(f"{po_path(domain, language).relative_to(ROOT)}: {update(domain, language)} to translate")


if __name__ == "__main__":
    main(sys.argv[1:])
