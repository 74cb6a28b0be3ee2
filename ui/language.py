"""The sidebar's language picker: English / 简体中文, per session, carried by links as `lang`."""
from __future__ import annotations

from typing import Any

import streamlit as st

from ui import links
from ui.i18n import KEY, LANGUAGES, current_language


def language_picker(where: Any = st.sidebar) -> None:
    """English / 简体中文 for this session; in the page's link as `lang` when not English."""
    if st.session_state.get(KEY) not in LANGUAGES:
        st.session_state[KEY] = current_language()  # the first visit follows the browser
    codec = links.option_codec(tuple(LANGUAGES))
    links.before_widget(KEY, KEY, "en", codec, lambda v: v in LANGUAGES, missing_is_default=False)
    language = where.selectbox("🌐 Language · 语言", list(LANGUAGES), format_func=LANGUAGES.get, key=KEY)
    links.after_widget(KEY, language, "en", codec)
