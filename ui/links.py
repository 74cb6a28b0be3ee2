"""Every page's settings in its link: widgets mirrored in the query string, links restoring widgets.

A widget opts in with `param=` on a `ui.widgets` helper (or `before_widget`/`after_widget` around any
other widget). Only values that differ from the default appear, with short names
(`?lr=0.3&layers=3&act=tanh`), so a default page has a clean URL.

How it survives reruns without loops: for each page we remember the raw string we last wrote for each
parameter. Before a widget is drawn, a URL value that differs from that memory came from outside (a
shared link, the back button): it is decoded, checked and put into the widget's session state, once.
After the widget is drawn, its value is encoded and written to the URL only when it changed. Links are
user input: a value is only ever parsed by its codec (never evaluated); anything malformed, out of
range or oversized gives one message naming the parameter and falls back to the default.
"""
from __future__ import annotations

import base64
import functools
import json
import math
import time
import zlib
from dataclasses import dataclass
from typing import Any, Callable
from urllib.parse import urlencode

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from lib.common.messages import LearnerError, Message
from ui.i18n import _, translate

STATE = "_links"      # session-state key: {page: {"written": {param: raw}, "problems": {param: text}}}
MAX_RAW = 2000        # characters: no single parameter may be longer (a packed pipeline included)
ECHO_S = 3.0          # seconds during which a value we just replaced is a stale echo, not a new link


class LinkError(LearnerError):
    """A link value that cannot be used, with the reason in plain words (translatable)."""


@dataclass(frozen=True)
class Codec:
    """How one kind of value travels in a link: `decode(encode(v)) == v` for every allowed v."""

    encode: Callable[[Any], str]
    decode: Callable[[str], Any]  # raises LinkError (or ValueError) for a string it cannot read


def _number(text: str, kind: type) -> float | int:
    if len(text) > 32:  # no setting needs more digits; a 400-digit integer is an attack, not a value
        raise LinkError("too long for a number")
    try:
        value = kind(text) if kind is float else int(text, 10)
    except ValueError:
        raise (LinkError("not an integer") if kind is int else LinkError("not a number")) from None
    if isinstance(value, float) and not math.isfinite(value):
        raise LinkError("not a finite number")
    return value


def number_codec(kind: type = float) -> Codec:
    """Integers as digits, floats in their shortest exact form (0.03, 1e-05)."""
    return Codec(lambda v: repr(kind(v)) if kind is float else str(int(v)), lambda s: _number(s, kind))


def option_codec(options: tuple | list) -> Codec:
    """One of a list of options, written as the option itself (never its translated label)."""
    names = {str(o): o for o in options}

    def decode(text: str) -> Any:
        if text not in names:
            raise LinkError("not one of the choices")
        return names[text]
    return Codec(str, decode)


def options_codec(options: tuple | list) -> Codec:
    """Several options, comma-separated, in the order chosen."""
    single = option_codec(options)
    assert not any("," in str(o) for o in options), "options of a multiselect link cannot contain commas"
    return Codec(lambda vs: ",".join(map(str, vs)),  # read back as a list, the type st.multiselect keeps
                 lambda s: [single.decode(p) for p in s.split(",")] if s else [])


def flag_codec() -> Codec:
    """On/off as 1/0 (true/false and yes/no accepted when reading)."""
    values = {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False}

    def decode(text: str) -> bool:
        if text.lower() not in values:
            raise LinkError("not 1 or 0")
        return values[text.lower()]
    return Codec(lambda v: "1" if v else "0", decode)


def text_codec(max_chars: int = 300) -> Codec:
    """Free text, length-capped; pages treat it like typed input (parsed, never evaluated)."""
    def decode(text: str) -> str:
        if len(text) > max_chars:
            raise LinkError("longer than {n} characters", n=max_chars)
        return text
    return Codec(str, decode)


def packed_codec(max_chars: int = MAX_RAW) -> Codec:
    """A JSON-able structure (a pipeline, a table) compressed and URL-safe: zlib + base64url."""
    def encode(value: Any) -> str:
        packed = base64.urlsafe_b64encode(zlib.compress(json.dumps(value, separators=(",", ":")).encode(), 9))
        text = packed.decode().rstrip("=")
        if len(text) > max_chars:
            raise LinkError("too long for a link ({n} characters, at most {most})", n=len(text), most=max_chars)
        return text

    def decode(text: str) -> Any:
        if len(text) > max_chars:
            raise LinkError("longer than {n} characters", n=max_chars)
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            inflater = zlib.decompressobj()
            data = inflater.decompress(raw, 64 * max_chars)  # a zip bomb stops at this many bytes
            if inflater.unconsumed_tail:
                raise LinkError("unpacks to too much data")
            return json.loads(data)
        except LinkError:
            raise
        except (ValueError, zlib.error, UnicodeDecodeError) as e:
            raise LinkError("not a packed setting made by this app") from e
    return Codec(encode, decode)


def _page_memory() -> dict:
    ctx = get_script_run_ctx()
    page = ctx.page_script_hash if ctx is not None else ""
    return st.session_state.setdefault(STATE, {}).setdefault(page, {"written": {}, "problems": {}, "recent": {},
                                                                        "fallback": set(), "bound": set()})


def _shown(raw: str) -> str:
    """A hostile value made harmless to show: no backticks (it sits in a code span), no tags, truncated."""
    raw = raw.replace("`", "'").replace("\n", " ").replace("<", "‹").replace(">", "›")
    return raw if len(raw) <= 40 else raw[:37] + "…"


def before_widget(key: str, param: str, default: Any, codec: Codec,
                  allows: Callable[[Any], bool] = lambda v: True, missing_is_default: bool = True,
                  to_state: Callable[[Any], Any] = lambda v: v) -> None:
    """If the URL brings a new value for `param`, put it (checked) into the widget's state, once.

    A parameter that disappeared (the back button to a clean URL) resets the widget to `default`,
    unless `missing_is_default` is False (the language: switching pages drops the query string).
    `to_state` turns a link value into what the widget keeps (a tab's id into its translated label).
    """
    memory = _page_memory()
    memory["bound"].add(param)
    raw = st.query_params.get(param)
    if raw == memory["written"].get(param) or _stale_echo(memory, param, raw):
        return  # nothing came from outside since we last wrote the URL
    memory["written"][param] = raw
    if raw is None:
        if missing_is_default:
            st.session_state[key] = to_state(default)
        return
    try:
        if len(raw) > MAX_RAW:
            raise LinkError("longer than {n} characters", n=MAX_RAW)
        value = codec.decode(raw)
        if not allows(value):
            raise LinkError("outside the allowed range")
    except ValueError as e:
        memory["problems"][param] = Message("The link's value for **{param}** (`{value}`) was ignored: {reason}. "
                                            "The default is used instead.", param=param, value=_shown(raw),
                                            reason=e.args[0])
        memory["fallback"].add(param)  # after_widget then removes the bad value from the URL, silently
        st.session_state[key] = to_state(default)
        return
    memory["problems"].pop(param, None)
    st.session_state[key] = to_state(value)


def _stale_echo(memory: dict, param: str, raw: str | None) -> bool:
    """True for a URL value we wrote ourselves moments ago and have changed since.

    A rerun that the browser sent before our latest URL update reached it still carries the previous
    value; taking that for a link would undo the user's last change (a lost keystroke).
    """
    return any(raw == old and time.monotonic() - at < ECHO_S for old, at in memory["recent"].get(param, ()))


def after_widget(param: str, value: Any, default: Any, codec: Codec) -> bool:
    """Mirror the widget's value in the URL (removed when it is the default); False if it cannot travel."""
    memory = _page_memory()
    try:
        raw = None if value == default else codec.encode(value)
        linked = True
    except LinkError as e:
        raw, linked = None, False
        memory["problems"][param] = Message("**{param}** is not in the link: {reason}.", param=param,
                                            reason=e.args[0])
    if raw != memory["written"].get(param):
        if raw is None:
            st.query_params.pop(param, None)
        else:
            st.query_params[param] = raw
        recent = memory["recent"].setdefault(param, [])
        recent[:] = [*recent[-3:], (memory["written"].get(param), time.monotonic())]
        memory["written"][param] = raw
        if linked and param not in memory["fallback"]:
            memory["problems"].pop(param, None)  # the user changed it: an old complaint is stale
    memory["fallback"].discard(param)
    return linked


def bound_params() -> set[str]:
    """Every parameter a widget of this page has bound so far in this session."""
    return set(_page_memory()["bound"])


def problem(param: str) -> str | None:
    """The message about one parameter of this page's link, if any, in the reader's language."""
    message = _page_memory()["problems"].get(param)
    return None if message is None else translate(message)


def problems() -> list[str]:
    """Messages about this page's link: values that were ignored, settings too long to travel."""
    return [translate(m) for m in _page_memory()["problems"].values()]


def link() -> str:
    """The full link to this page with its current settings (just the query when the host is unknown)."""
    query = urlencode({k: st.query_params[k] for k in st.query_params})
    base = st.context.url or ""
    return f"{base}?{query}" if query else base


SHARE_SLOT = "_links.share_slot"  # session key: (the share panel's link box, the full run that drew it)
FULL_RUN = "_links.full_run"      # session key: full runs of the app so far (counted by count_full_run)


def count_full_run() -> None:
    """Called by app.py on every full run (a fragment rerun does not run app.py): tells ui.links.fragment
    whether the share panel's box was drawn in this run or an earlier one."""
    st.session_state[FULL_RUN] = st.session_state.get(FULL_RUN, 0) + 1


def share_panel(not_in_link: list[str] | tuple[str, ...] = ()) -> None:
    """"🔗 Link to this setup": the link with a copy button and what it leaves out.

    Problems with single values are shown next to their widgets (ui.widgets), not repeated here.
    """
    with st.expander(_("🔗 Link to this setup")):
        st.caption(_("Send this link: it opens this page with these settings (a default page has a clean "
                     "link). Copy it with the button at the right of the box."))
        slot = st.empty()
        _draw_link(slot)
        st.session_state[SHARE_SLOT] = (slot, st.session_state.get(FULL_RUN))
        for item in not_in_link:
            st.caption(_("Not in the link: {item}").format(item=item))


def _draw_link(slot) -> None:
    slot.code(link() or _("(default settings: the page's plain address)"), language=None, wrap_lines=True)


def _in_fragment_rerun() -> bool:
    ctx = get_script_run_ctx()
    return bool(ctx is not None and ctx.fragment_ids_this_run)


def fragment(func):
    """`st.fragment` for a section with bound widgets: a slider moved in it reruns only the section, and the
    share panel, outside it, still shows the new link.

    Streamlit lets a fragment rerun write outside itself only into a box it also wrote to in the last full
    run, so a page with such sections draws `share_panel` before them (the conv page: under its intro).
    """
    @functools.wraps(func)
    def section(*args, **kwargs):
        result = func(*args, **kwargs)
        slot, drawn_in = st.session_state.get(SHARE_SLOT, (None, None))
        if slot is not None and (_in_fragment_rerun() or drawn_in == st.session_state.get(FULL_RUN)):
            _draw_link(slot)
        return result
    return st.fragment(section)
