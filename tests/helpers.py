"""Shared test helpers."""
from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent


def run_page(page: str, state: dict | None = None, timeout: float = 120) -> AppTest:
    """Run `pages/<page>` in AppTest with optional session state; torch imports are slow."""
    at = AppTest.from_file(str(ROOT / "pages" / page), default_timeout=timeout)
    for key, value in (state or {}).items():
        at.session_state[key] = value
    return at.run()


def texts(at: AppTest) -> str:
    """All markdown, captions and messages of a run, joined: handy for `in` checks."""
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [e.value for e in at.error] + [w.value for w in at.warning] + [i.value for i in at.info]
    parts += [s.value for s in at.success] + [c.value for c in at.code]
    return "\n".join(str(p) for p in parts)


def assert_no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
