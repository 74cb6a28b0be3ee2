"""A progress bar with elapsed time and ETA for long-running lib generators."""
from __future__ import annotations

import time

import streamlit as st

from ui.i18n import _


def format_seconds(seconds: float) -> str:
    """A duration for people: tenths below 10 s (a short run would read "0 s"), whole seconds, then minutes."""
    seconds = max(0.0, seconds)
    if seconds < 9.95:  # 9.96 would print as "10.0 s"
        return _("{n:.1f} s").format(n=seconds)
    return _("{n:.0f} s").format(n=seconds) if seconds < 90 else _("{n:.1f} min").format(n=seconds / 60)


class Progress:
    """Wraps `st.progress`: call `update(done, note)` after each step."""

    def __init__(self, total: int, label: str | None = None) -> None:
        self.total = max(1, total)
        self.label = label or _("Working")
        self.started = time.perf_counter()
        self.bar = st.progress(0.0, text=f"{self.label}…")

    def update(self, done: int, note: str = "") -> None:
        elapsed = time.perf_counter() - self.started
        eta = elapsed / done * (self.total - done) if done else float("nan")
        eta_text = format_seconds(eta) if done else "…"
        text = _("{label}: {done}/{total} · {elapsed} elapsed · ETA {eta}").format(
            label=self.label, done=done, total=self.total, elapsed=format_seconds(elapsed), eta=eta_text)
        self.bar.progress(min(1.0, done / self.total), text=f"{text}  {note}".strip())

    def done(self, note: str | None = None) -> None:
        elapsed = time.perf_counter() - self.started
        self.bar.progress(1.0, text=_("{note} in {elapsed}.").format(note=note or _("Done"),
                                                                     elapsed=format_seconds(elapsed)))
