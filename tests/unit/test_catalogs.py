"""The message catalogs are complete and consistent with the code (see scripts/i18n.py).

Adding a string without a translation fails here: run `bash scripts/i18n.sh`, translate, run again.
"""
from __future__ import annotations

import re
import string
import unicodedata

import pytest

from scripts import i18n

DOMAINS = i18n.domains()
CASES = [(d, lang) for lang in i18n.LANGUAGES for d in DOMAINS]


def fields(text: str) -> list[str]:
    """The placeholders of a message: {name} / {name:.2f} fields and %s-style ones, sorted."""
    named = [f"{{{name}}}" for _, name, _, _ in string.Formatter().parse(text) if name is not None]
    return sorted(named + re.findall(r"%(?:\(\w+\))?[sdif]", text))


@pytest.fixture(scope="module", params=CASES, ids=[f"{d}-{lang}" for d, lang in CASES])
def catalogs(request):
    domain, language = request.param
    path = i18n.po_path(domain, language)
    assert path.exists(), f"{path} is missing: run bash scripts/i18n.sh"
    return domain, i18n.extract(domain), i18n.read(path)


def test_every_string_in_the_code_is_translated(catalogs):
    domain, code, po = catalogs
    missing = [m.id for m in code if m.id and (m.id not in po or m.id in i18n.untranslated(po))]
    assert not missing, f"{len(missing)} strings of {domain} have no translation, e.g. {missing[:3]}"


def test_no_catalog_entry_is_unused(catalogs):
    domain, code, po = catalogs
    unused = [m.id for m in po if m.id and m.id not in code]
    assert not unused, f"{domain}.po has entries no code uses any more: {unused[:3]} (run bash scripts/i18n.sh)"


def test_placeholders_survive_translation(catalogs):
    _, _, po = catalogs
    for m in po:
        if m.id and m.string:
            pairs = zip(m.id, m.string) if isinstance(m.id, tuple) else [(m.id, m.string)]
            for source, translated in pairs:
                assert fields(source) == fields(translated), f"placeholders differ in {source!r} -> {translated!r}"


def test_translations_compile_and_load():
    from ui.i18n import compile_po
    for lang in i18n.LANGUAGES:
        for domain in DOMAINS:
            compile_po(i18n.po_path(domain, lang))


def test_a_message_shared_by_domains_reads_the_same_in_each():
    """The app chains all catalogs into one (ui/i18n.py), so one msgid gets one translation: two domains
    that translate the same English differently would see one of them silently replaced."""
    for lang in i18n.LANGUAGES:
        seen: dict[str, tuple[str, str]] = {}
        for domain in DOMAINS:
            for m in i18n.read(i18n.po_path(domain, lang)):
                if not (m.id and m.string) or isinstance(m.id, tuple):
                    continue
                first = seen.setdefault(m.id, (domain, m.string))
                assert first[1] == m.string, (f"{m.id!r} is {first[1]!r} in {first[0]}.po but {m.string!r} in "
                                              f"{domain}.po: use one translation")


def _punctuation(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "PS"


def unclosable_bold(text: str) -> list[str]:
    """`**bold**` spans that Markdown shows as literal asterisks: by CommonMark's flanking rules, a `**` that
    closes right after punctuation must be followed by a space or punctuation (`**形状：**输入` fails,
    `**形状**：输入` works), and one that opens right before punctuation must follow one. A placeholder at the
    edge ({name}) is filled with words, so it counts as a letter."""
    bad = []
    for span in re.finditer(r"\*\*(.+?)\*\*", text):
        inner, before, after = span.group(1), text[span.start() - 1:span.start()], text[span.end():span.end() + 1]
        closes_badly = inner[-1] != "}" and _punctuation(inner[-1]) and after and not (
            after.isspace() or _punctuation(after))
        opens_badly = inner[0] != "{" and _punctuation(inner[0]) and before and not (
            before.isspace() or _punctuation(before))
        if closes_badly or opens_badly:
            bad.append(span.group(0) + after)
    return bad


def test_bold_in_translations_renders(catalogs):
    _, _, po = catalogs
    broken = [(m.string, unclosable_bold(m.string)) for m in po
              if m.id and isinstance(m.string, str) and unclosable_bold(m.string)]
    assert not broken, f"bold that Markdown cannot close (put the punctuation outside the **): {broken[:3]}"


@pytest.mark.parametrize("text, bad", [
    ("**形状：**输入 (1, 3)", ["**形状：**输"]),
    ("**形状**：输入", []),
    ("**Shapes:** input", []),
    ("真实为**{true}**，判为", []),
    ("值为**（1）**个", ["**（1）**个"]),
])
def test_unclosable_bold(text, bad):
    assert unclosable_bold(text) == bad


@pytest.mark.parametrize("text, expected", [
    ("Step {n} of {total:.1f}", ["{n}", "{total}"]),
    ("%s of %d", ["%d", "%s"]),
    ("no fields", []),
])
def test_fields(text, expected):
    assert fields(text) == expected
