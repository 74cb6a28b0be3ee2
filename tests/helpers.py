"""Shared test helpers."""
from __future__ import annotations

import contextlib
import io
import json
import os
import re
import runpy
from dataclasses import dataclass
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent


def run_page(page: str, state: dict | None = None, timeout: float = 120, query: dict | None = None) -> AppTest:
    """Run `pages/<page>` in AppTest with optional session state and link (query) parameters."""
    at = AppTest.from_file(str(ROOT / "pages" / page), default_timeout=timeout)
    for key, value in (state or {}).items():
        at.session_state[key] = value
    for param, value in (query or {}).items():
        at.query_params[param] = value
    return at.run()


def bound_params(at: AppTest) -> set[str]:
    """The link parameters the page's widgets bound in this AppTest session (see ui/links.py)."""
    return set().union(*(m["bound"] for m in at.session_state["_links"].values())) if "_links" in at.session_state \
        else set()


def texts(at: AppTest) -> str:
    """All markdown, captions and messages of a run, joined: handy for `in` checks."""
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [e.value for e in at.error] + [w.value for w in at.warning] + [i.value for i in at.info]
    parts += [s.value for s in at.success] + [c.value for c in at.code]
    return "\n".join(str(p) for p in parts)


def assert_no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


@dataclass
class ScriptRun:
    namespace: dict  # the script's globals after it ran
    stdout: str      # everything it printed


def run_script(code: str, folder: Path, name: str = "script.py", cwd: Path | None = None) -> ScriptRun:
    """Run generated code the way a user would (`python <name>` in `cwd`, default `folder`).

    Every code-panel test goes through here: the script is written to `folder/name`, run as
    `__main__` and its printout captured, so a test can compare the script's numbers with lib's.
    """
    path = Path(folder) / name
    path.write_text(code)
    previous, printed = os.getcwd(), io.StringIO()
    os.chdir(cwd or folder)
    try:
        with contextlib.redirect_stdout(printed):
            namespace = runpy.run_path(str(path), run_name="__main__")
    finally:
        os.chdir(previous)
    return ScriptRun(namespace, printed.getvalue())


# Four English words in a row, outside code: a sentence nobody translated. Code spans, fenced code,
# LaTeX and links are removed first; names of things (Fashion-MNIST, nn.Linear) are single words.
_ENGLISH = re.compile(r"\b[A-Za-z][a-z']+(?:[ ,;:()-]+[A-Za-z][a-z']+){3,}\b")
_NOT_PROSE = re.compile(r"```.*?```|`[^`]*`|\$[^$]*\$|\[[^\]]*\]\([^)]*\)|https?://\S+", re.S)
_TEXT_ELEMENTS = ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success",
                  "toast", "exception")
_LABELLED = ("button", "slider", "select_slider", "selectbox", "multiselect", "radio", "checkbox", "toggle",
             "number_input", "text_input", "text_area", "tabs", "expander", "metric", "color_picker",
             "date_input", "time_input", "download_button")


def plotly_figures(at: AppTest) -> list[dict]:
    """Every plotly chart of a run as its figure dict (`data` traces, `layout`)."""
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def visible_texts(at: AppTest) -> list[str]:
    """Every text a reader sees in a run: prose, labels, help, options and chart titles."""
    found: list[str] = []
    for kind in _TEXT_ELEMENTS:
        found += [str(e.value) for e in at.get(kind)]
    for kind in _LABELLED:
        for e in at.get(kind):
            proto = getattr(e, "proto", None)
            found += [str(getattr(e, a)) for a in ("label", "help") if getattr(e, a, None)]
            found += [str(o) for o in getattr(proto, "options", [])]
    for figure in plotly_figures(at):
        found += re.findall(r'"text":\s*"((?:[^"\\]|\\.)*)"', json.dumps(figure.get("layout", {})))
    return found


def english_left(at: AppTest) -> list[str]:
    """Untranslated English sentences in a run (for pages rendered in Chinese)."""
    return [m.group(0) for text in visible_texts(at) for m in _ENGLISH.finditer(_NOT_PROSE.sub(" ", text))]
