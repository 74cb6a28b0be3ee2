"""A progress bar with elapsed time and ETA for long-running lib generators."""
from __future__ import annotations

import time

import streamlit as st


def format_seconds(seconds: float) -> str:
    seconds = max(0.0, seconds)
    return f"{seconds:.0f} s" if seconds < 90 else f"{seconds / 60:.1f} min"


class Progress:
    """Wraps `st.progress`: call `update(done, note)` after each step."""

    def __init__(self, total: int, label: str = "Working") -> None:
        self.total = max(1, total)
        self.label = label
        self.started = time.perf_counter()
        self.bar = st.progress(0.0, text=f"{label}…")

    def update(self, done: int, note: str = "") -> None:
        elapsed = time.perf_counter() - self.started
        eta = elapsed / done * (self.total - done) if done else float("nan")
        eta_text = format_seconds(eta) if done else "…"
        text = f"{self.label}: {done}/{self.total} · {format_seconds(elapsed)} elapsed · ETA {eta_text}"
        self.bar.progress(min(1.0, done / self.total), text=f"{text}  {note}".strip())

    def done(self, note: str = "Done") -> None:
        elapsed = time.perf_counter() - self.started
        self.bar.progress(1.0, text=f"{note} in {format_seconds(elapsed)}.")
