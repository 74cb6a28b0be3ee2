"""Showing user-caused errors as plain sentences, never as tracebacks."""
from __future__ import annotations

import streamlit as st


def show_error(error: Exception, prefix: str = "") -> None:
    """Show a `ValueError` (or PyTorch's own message) in an error box."""
    message = str(error).strip() or error.__class__.__name__
    st.error(f"{prefix}{message}", icon="⚠️")
