"""Showing user-caused errors as plain sentences, never as tracebacks."""
from __future__ import annotations

import streamlit as st

from ui.i18n import translate


def show_error(error: Exception, prefix: str = "") -> None:
    """Show a `ValueError` (or PyTorch's own message) in an error box, in the reader's language."""
    message = translate(error).strip() or error.__class__.__name__
    st.error(f"{prefix}{message}", icon="⚠️")
