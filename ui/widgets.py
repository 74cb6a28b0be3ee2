"""Widgets whose default and range come from a lib settings dataclass (see lib/common/settings.py).

`slider("Stride", DEFAULTS, "stride", key="conv.stride")` draws `st.slider` with the min, max and step
declared next to the default in the dataclass, so no page repeats those numbers. Every helper takes
`where=` (a column, the sidebar...) and passes other keyword arguments (help, disabled, format_func...)
on to Streamlit unchanged.
"""
from __future__ import annotations

from typing import Any

import streamlit as st

from lib.common.settings import spec


def slider(label: str, defaults: Any, name: str, *, key: str, where: Any = st, **kwargs: Any) -> Any:
    """`st.slider` over the field's [lo, hi] in steps of `step`."""
    s = spec(defaults, name)
    return where.slider(label, s.lo, s.hi, getattr(defaults, name), s.step, key=key, **kwargs)


def number_input(label: str, defaults: Any, name: str, *, key: str, where: Any = st, **kwargs: Any) -> Any:
    """`st.number_input` bounded by the field's range."""
    s = spec(defaults, name)
    step = kwargs.pop("step", s.step)
    return where.number_input(label, s.lo, s.hi, getattr(defaults, name), step, key=key, **kwargs)


def select_slider(label: str, defaults: Any, name: str, *, key: str, where: Any = st, **kwargs: Any) -> Any:
    """`st.select_slider` over the field's options."""
    return where.select_slider(label, spec(defaults, name).options, getattr(defaults, name), key=key, **kwargs)


def selectbox(label: str, defaults: Any, name: str, *, key: str, where: Any = st, **kwargs: Any) -> Any:
    """`st.selectbox` over the field's options, the default selected."""
    options = spec(defaults, name).options
    return where.selectbox(label, options, options.index(getattr(defaults, name)), key=key, **kwargs)


def radio(label: str, defaults: Any, name: str, *, key: str, where: Any = st, **kwargs: Any) -> Any:
    """`st.radio` over the field's options, the default selected."""
    options = spec(defaults, name).options
    return where.radio(label, options, options.index(getattr(defaults, name)), key=key, **kwargs)


def multiselect(label: str, defaults: Any, name: str, *, key: str, where: Any = st, **kwargs: Any) -> tuple:
    """`st.multiselect` over the field's options; returns a tuple like the dataclass holds."""
    return tuple(where.multiselect(label, spec(defaults, name).options, list(getattr(defaults, name)),
                                   key=key, **kwargs))


def toggle(label: str, defaults: Any, name: str, *, key: str, where: Any = st, **kwargs: Any) -> bool:
    """`st.toggle` starting at the field's default."""
    return where.toggle(label, bool(getattr(defaults, name)), key=key, **kwargs)


def checkbox(label: str, defaults: Any, name: str, *, key: str, where: Any = st, **kwargs: Any) -> bool:
    """`st.checkbox` starting at the field's default."""
    return where.checkbox(label, bool(getattr(defaults, name)), key=key, **kwargs)
