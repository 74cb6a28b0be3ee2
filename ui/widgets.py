"""Widgets whose default and range come from a lib settings dataclass (see lib/common/settings.py).

`slider("Stride", DEFAULTS, "stride", key="conv.stride")` draws `st.slider` with the min, max and step
declared next to the default in the dataclass, so no page repeats those numbers. A field declared with
`param="stride"` is also mirrored in the page's link under that short name (see ui/links.py); `param=`
on the helper overrides it (`param=""` keeps a widget out of the link). Every helper takes
`where=` (a column, the sidebar...) and passes other keyword arguments (help, disabled, format_func...)
on to Streamlit unchanged.
"""
from __future__ import annotations

from typing import Any, Callable

import streamlit as st

from lib.common.settings import spec
from ui import links


def bound(draw: Callable[[], Any], key: str, param: str | None, default: Any, codec: links.Codec | None,
          allows: Callable[[Any], bool], where: Any) -> Any:
    """Draw a widget; with a link name, restore it from the link first and mirror its value afterwards."""
    if not param:
        return draw()
    links.before_widget(key, param, default, codec, allows)
    value = draw()
    links.after_widget(param, value, default, codec)
    if problem := links.problem(param):
        where.warning(problem, icon="🔗")
    return value


def _param(defaults: Any, name: str, param: str | None) -> str | None:
    """The link name: the helper's `param=` when given, else the one declared in the dataclass."""
    return param if param is not None else spec(defaults, name).param


def _number_codec(default: Any) -> links.Codec:
    return links.number_codec(int if isinstance(default, int) and not isinstance(default, bool) else float)


def slider(label: str, defaults: Any, name: str, *, key: str, where: Any = st, param: str | None = None,
           **kwargs: Any) -> Any:
    """`st.slider` over the field's [lo, hi] in steps of `step`."""
    s, default = spec(defaults, name), getattr(defaults, name)
    return bound(lambda: where.slider(label, s.lo, s.hi, default, s.step, key=key, **kwargs),
                   key, _param(defaults, name, param), default, _number_codec(default), s.allows, where)


def number_input(label: str, defaults: Any, name: str, *, key: str, where: Any = st, param: str | None = None,
                 **kwargs: Any) -> Any:
    """`st.number_input` bounded by the field's range."""
    s, default = spec(defaults, name), getattr(defaults, name)
    step = kwargs.pop("step", s.step)
    return bound(lambda: where.number_input(label, s.lo, s.hi, default, step, key=key, **kwargs),
                   key, _param(defaults, name, param), default, _number_codec(default), s.allows, where)


def _choice(widget: Callable, label: str, defaults: Any, name: str, key: str, where: Any, param: str | None,
            kwargs: dict) -> Any:
    options, default = spec(defaults, name).options, getattr(defaults, name)
    return bound(lambda: widget(label, options, options.index(default), key=key, **kwargs),
                   key, _param(defaults, name, param), default, links.option_codec(options),
                   lambda v: v in options, where)


def selectbox(label: str, defaults: Any, name: str, *, key: str, where: Any = st, param: str | None = None,
              **kwargs: Any) -> Any:
    """`st.selectbox` over the field's options, the default selected."""
    return _choice(where.selectbox, label, defaults, name, key, where, param, kwargs)


def radio(label: str, defaults: Any, name: str, *, key: str, where: Any = st, param: str | None = None,
          **kwargs: Any) -> Any:
    """`st.radio` over the field's options, the default selected."""
    return _choice(where.radio, label, defaults, name, key, where, param, kwargs)


def select_slider(label: str, defaults: Any, name: str, *, key: str, where: Any = st, param: str | None = None,
                  **kwargs: Any) -> Any:
    """`st.select_slider` over the field's options."""
    options, default = spec(defaults, name).options, getattr(defaults, name)
    return bound(lambda: where.select_slider(label, options, default, key=key, **kwargs),
                   key, _param(defaults, name, param), default, links.option_codec(options),
                   lambda v: v in options, where)


def multiselect(label: str, defaults: Any, name: str, *, key: str, where: Any = st, param: str | None = None,
                **kwargs: Any) -> tuple:
    """`st.multiselect` over the field's options; returns a tuple like the dataclass holds."""
    options, default = spec(defaults, name).options, tuple(getattr(defaults, name))
    return tuple(bound(lambda: where.multiselect(label, options, list(default), key=key, **kwargs),
                         key, _param(defaults, name, param), list(default), links.options_codec(options),
                         lambda vs: all(v in options for v in vs), where))


def toggle(label: str, defaults: Any, name: str, *, key: str, where: Any = st, param: str | None = None,
           **kwargs: Any) -> bool:
    """`st.toggle` starting at the field's default."""
    default = bool(getattr(defaults, name))
    return bound(lambda: where.toggle(label, default, key=key, **kwargs),
                   key, _param(defaults, name, param), default, links.flag_codec(), lambda v: True, where)


def checkbox(label: str, defaults: Any, name: str, *, key: str, where: Any = st, param: str | None = None,
             **kwargs: Any) -> bool:
    """`st.checkbox` starting at the field's default."""
    default = bool(getattr(defaults, name))
    return bound(lambda: where.checkbox(label, default, key=key, **kwargs),
                   key, _param(defaults, name, param), default, links.flag_codec(), lambda v: True, where)


def text_input(label: str, defaults: Any, name: str, *, key: str, where: Any = st, param: str | None = None,
               max_chars: int = 300, area: bool = False, **kwargs: Any) -> str:
    """`st.text_input` (or `st.text_area`) starting at the field's default text."""
    default, widget = getattr(defaults, name), where.text_area if area else where.text_input
    return bound(lambda: widget(label, default, max_chars=max_chars, key=key, **kwargs),
                   key, _param(defaults, name, param), default, links.text_codec(max_chars), lambda v: True, where)


def tabs(labels: dict[str, str], *, key: str, param: str | None = "tab") -> list:
    """`st.tabs` whose open tab is in the page's link (`?tab=<id>`), by id: labels are translated.

    `labels` maps a stable id to the label shown. Returns the tab containers in that order.
    """
    ids, by_label = list(labels), {label: tab for tab, label in labels.items()}
    codec = links.option_codec(ids)
    if param:
        links.before_widget(key, param, ids[0], codec, lambda v: v in ids, to_state=labels.get)
    opened = by_label.get(st.session_state.get(key), ids[0])
    containers = st.tabs(list(labels.values()), key=key, on_change="rerun", default=labels[opened])
    if param:
        links.after_widget(param, by_label.get(st.session_state.get(key), opened), ids[0], codec)
        if problem := links.problem(param):
            st.warning(problem, icon="🔗")
    return containers
