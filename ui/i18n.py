"""The app in the reader's language: gettext catalogs in locales/, one language per session.

Pages write `from ui.i18n import _` and wrap every sentence a user reads: `st.markdown(_("A tensor is..."))`,
with values filled in after translation: `_("Step {n} of {total}").format(n=n, total=total)`. lib's
`Message` and `LearnerError` texts are translated at the page edge with `translate(...)` (`ui.show_error`
does it for errors).

Catalogs: `locales/<language>/LC_MESSAGES/<domain>.po`, one domain per page (`playground.po`...) plus
`app.po` for the frame, ui/ and lib/common, so translators and contributors work on one page's file at a
time with any gettext tool (Poedit, Lokalize, a text editor). `scripts/i18n.sh` extracts new strings and
updates the .po files with Babel; Babel compiles them in memory once per process (shared, read-only). The
language itself is per session, so two visitors of one server can read two languages at the same time.
"""
from __future__ import annotations

import gettext
import io
from pathlib import Path
from typing import Any, Callable

import streamlit as st
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from lib.common.messages import Message

LOCALES = Path(__file__).resolve().parent.parent / "locales"
LANGUAGES = {"en": "English", "zh": "简体中文"}   # language code -> its name in itself
CATALOG = {"zh": "zh_CN"}                         # language code -> locale folder
KEY = "lang"                                      # session-state key and link parameter


def compile_po(po: Path) -> gettext.GNUTranslations:
    """One .po file compiled with Babel in memory (fuzzy entries left out, as msgfmt does)."""
    with po.open("rb") as f:
        catalog = read_po(f)
    mo = io.BytesIO()
    write_mo(mo, catalog, use_fuzzy=False)
    mo.seek(0)
    return gettext.GNUTranslations(mo)


@st.cache_resource(show_spinner=False)
def catalogs(language: str) -> gettext.NullTranslations:
    """Every domain's catalog for `language`, chained into one (English: no translation).

    The .po files are the single source: they are compiled once per process, so no compiled file can
    fall behind the text a translator edited.
    """
    chain = gettext.NullTranslations()
    for po in sorted((LOCALES / CATALOG.get(language, language) / "LC_MESSAGES").glob("*.po")):
        domain = compile_po(po)
        domain.add_fallback(chain)
        chain = domain
    return chain


def browser_language(locale: str | None) -> str:
    """zh* (zh-CN, zh-Hans, zh-TW...) -> Chinese; anything else -> English."""
    return "zh" if (locale or "").lower().startswith("zh") else "en"


def current_language() -> str:
    """This session's language: chosen in the sidebar (or by a link), else the browser's."""
    chosen = st.session_state.get(KEY)
    if chosen in LANGUAGES:
        return chosen
    try:
        return browser_language(st.context.locale)
    except Exception:  # noqa: BLE001 - no browser context (bare runs, some tests): English
        return "en"


def _(text: str) -> str:
    """`text` in this session's language."""
    language = current_language()
    return text if language == "en" else catalogs(language).gettext(text)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for `n` in this session's language."""
    language = current_language()
    if language == "en":
        return singular if n == 1 else plural
    return catalogs(language).ngettext(singular, plural, n)


def option_labels(labels: dict) -> Callable[[Any], str]:
    """A widget's `format_func`: each option's label in the reader's language, looked up when the widget is
    drawn. It is a plain dict lookup afterwards, so the labels stay those of the script run that drew them
    (Streamlit calls format_func again outside the run, where the session's language is unknown)."""
    return {key: _(label) for key, label in labels.items()}.get


def translate(value: Any) -> str:
    """A lib Message (or an error carrying one) in this session's language; other text as it is."""
    if isinstance(value, BaseException):
        value = value.args[0] if value.args else str(value)
    if isinstance(value, Message):
        params = {k: translate(v) if isinstance(v, Message) else v for k, v in value.params.items()}
        return _(value.template).format(**params) if params else _(value.template)
    return str(value)

