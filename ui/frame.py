"""Make sure every page runs inside app.py's frame, even when opened by its own URL.

Streamlit keeps a process-wide flag for its older multipage mode: while a `pages/`
folder sits beside the entry point and no session has called `st.navigation` yet, it
runs `pages/<name>.py` *directly* for a URL like /rnn_lab. On a freshly started server
(Streamlit Cloud wakes apps up this way) the first visitor of a shared page link would
then get the page without app.py: no navigation sections, no device selector. We end
that mode and rerun, so app.py runs and `st.navigation` opens the requested page.
"""
from __future__ import annotations

import gc
import sys

import streamlit as st

_FROZEN_AT = [0]  # len(sys.modules) at the last freeze: a page that imports more triggers one more


def ensure_frame() -> None:
    """Leave Streamlit's pages/-folder mode (if on) and rerun through app.py."""
    from streamlit.runtime.pages_manager import PagesManager  # no public switch exists

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        if st.runtime.exists():
            st.rerun()


def freeze_imported_heap() -> None:
    """Keep Streamlit's garbage collection after every run cheap: move what is alive now (torch's, plotly's,
    pandas' ~400k module objects) out of the collector's sight, once each time new modules were imported.

    Streamlit runs a full `gc.collect(2)` after each script run (runner.postScriptGC): over ~420k objects it
    takes 0.1-0.5 s holding the GIL, so the next rerun and the image fetch of the last one wait for it. After
    a freeze it only walks objects made since. What a freeze catches lives for the process (modules, caches);
    a session's object caught then and dropped later in a cycle stays: a few, once per new import.
    """
    if len(sys.modules) > _FROZEN_AT[0]:
        gc.collect()
        gc.freeze()
        _FROZEN_AT[0] = len(sys.modules)
