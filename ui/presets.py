"""Preset pickers: choosing a case study's recipe sets the page's widgets to it, and the page says where it
comes from and how it differs from the default.

A recipe's values become the widgets' new defaults, so the link keeps only what a learner changes after
choosing it (ui/links.py).
"""
from __future__ import annotations

import streamlit as st

from lib.common.settings import spec as setting_spec
from ui import links
from ui.i18n import _


def newly_chosen(applied_key: str, choice: str) -> bool:
    """True when `choice` differs from the one the widgets were last set to (a first visit keeps its widgets:
    they may come from a link); remembers `choice` under `applied_key`."""
    changed = st.session_state.get(applied_key, choice) != choice
    st.session_state[applied_key] = choice
    return changed


def set_widget(key: str, settings, name: str) -> None:
    """Set widget `key` to `settings.<name>` as its new default: its link parameter leaves the link."""
    value = getattr(settings, name)
    st.session_state[key] = list(value) if isinstance(value, tuple) else value  # multiselects hold lists
    links.after_widget(setting_spec(settings, name).param, value, value, links.text_codec())


def show_origin(note: str, differs: str) -> None:
    """Where the recipe comes from, then (folded) how it differs from the default and why; both N_ msgids."""
    if note:
        st.info(_(note), icon="📖")
    if differs:
        with st.expander(_("How this differs from the default, and why")):
            st.markdown(_(differs))
