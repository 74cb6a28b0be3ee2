"""Make sure every page runs inside app.py's frame, even when opened by its own URL.

Streamlit keeps a process-wide flag for its older multipage mode: while a `pages/`
folder sits beside the entry point and no session has called `st.navigation` yet, it
runs `pages/<name>.py` *directly* for a URL like /rnn_lab. On a freshly started server
(Streamlit Cloud wakes apps up this way) the first visitor of a shared page link would
then get the page without app.py: no navigation sections, no device selector. We end
that mode and rerun, so app.py runs and `st.navigation` opens the requested page.
"""
from __future__ import annotations

import streamlit as st


def ensure_frame() -> None:
    """Leave Streamlit's pages/-folder mode (if on) and rerun through app.py."""
    from streamlit.runtime.pages_manager import PagesManager  # no public switch exists

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        if st.runtime.exists():
            st.rerun()
