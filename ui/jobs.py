"""Drive a lib generator (training, stylisation...) with a progress bar, ETA and a Stop button.

Every long job in lib is a generator that yields a progress record after each step and owns nothing of
Streamlit. `run_job` iterates it, redrawing the bar (and whatever the page draws in `on_update`) at most
a few times a second. Stop needs no code of its own: any click reruns the script, and Streamlit ends the
running script at its next element call, between two steps of the generator. Pages therefore store the
run's state in the session *before* calling `run_job`, so a stopped run keeps what it has learnt.

Every heavy job of every page comes through here, so this is where the process-wide gate (ui/gate.py)
queues it: at most K jobs run at once, the others wait in arrival order and see their place.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable, Iterable, TypeVar

import streamlit as st

from lib.common.gate import Gate, Ticket, TooBig
from ui.gate import memory_pool, shared_gate
from ui.i18n import _, translate
from ui.progress import Progress, format_seconds

P = TypeVar("P")


@dataclass(frozen=True)
class Outcome:
    """How a job ended when it was not stopped: finished, or failed with a plain-words reason."""

    finished: bool
    error: str | None = None


class LiveChart:
    """A Plotly chart redrawn while a job runs (`on_update=lambda r: live.draw(figure(r))`).

    Streamlit refuses two identical charts in one script run, and curves often do not change between two
    redraws (a history that grows once per epoch, the last record shown again): an unchanged figure is
    not drawn again, and each new one gets its own element key.
    """

    def __init__(self, key: str, where=st) -> None:
        self.key, self.slot, self.count, self.last = key, where.empty(), 0, None

    def draw(self, figure, **kwargs) -> None:
        spec = figure.to_json()
        if spec == self.last:
            return
        self.count, self.last = self.count + 1, spec
        self.slot.plotly_chart(figure, key=f"{self.key}.{self.count}", **kwargs)


def stop_button(key: str, *, where=st, label: str | None = None, help: str | None = None) -> None:
    """A Stop button: its click is the rerun that ends the running job (labels already translated)."""
    where.button(label or _("⏹ Stop"), key=key,
                 help=help or _("Stops between two steps; what was learnt so far is kept."))


def run_job(steps: Iterable[P], *, total: int | Callable[[P], int], label: str, done: Callable[[P], int],
            note: Callable[[P], str] = lambda p: "", on_update: Callable[[P], None] | None = None,
            must_draw: Callable[[P], bool] = lambda p: False, every_s: float = 0.3,
            finished: str | None = None, kind: str = "job", need_bytes: int = 0, device=None,
            expected_s: float = 30.0) -> Outcome:
    """Wait for the heavy-job gate, then iterate `steps`, updating the bar and `on_update` every `every_s` s.

    `done(p)` is the number of steps finished after record `p` out of `total` (a number, or read from
    each record when only the generator knows it); `must_draw(p)` forces a redraw (an evaluated epoch,
    a preview image). `kind`, `need_bytes` (estimated peak memory) and `expected_s` (estimated run time)
    are what the gate queues by (see ui/gate.py). A ValueError from the generator (a diverged loss...)
    or a job too big for the server ends the job with its message in `Outcome.error`, for the page to
    show next to its controls.
    """
    gate = shared_gate()
    try:
        ticket = gate.join(kind, need_bytes, memory_pool(device), expected_s)
    except TooBig as e:
        return Outcome(False, translate(e))
    try:  # the finally frees the place on Stop, on leaving the page and on closing the tab alike
        _wait_for_turn(gate, ticket)
        outcome = _iterate(steps, total, label, done, note, on_update, must_draw, every_s, finished)
        _release_cpu_workers()  # before the next job starts: drawing the result needs no worker team
        gate.leave(ticket, finished=outcome.finished)
        return outcome
    finally:
        gate.leave(ticket)


def _wait_for_turn(gate: Gate, ticket: Ticket) -> None:
    """Show the queue position and a counting-down wait until the gate lets the job start.

    Each redraw is a Streamlit call, which is where a Stop click or a closed tab ends this script run.
    """
    if ticket.started is not None:
        return
    _release_cpu_workers()  # a waiting thread's idle OpenMP workers would slow the running job
    slot = st.empty()
    while not gate.wait(ticket, timeout=0.5):
        running, waiting = gate.counts()
        slot.info(_("Waiting for a free place: you are **number {position}** in the queue ({running} running, "
                    "{waiting} waiting), about {wait} to go. The server runs a few heavy jobs at a time so that "
                    "every job finishes sooner; Stop leaves the queue.").format(
                        position=gate.position(ticket), running=running, waiting=waiting,
                        wait=format_seconds(gate.estimated_wait(ticket))), icon="⏳")
    slot.empty()


def _release_cpu_workers() -> None:
    # imported here: lib.common.device imports torch, and the frame imports this module before the home
    # page paints (tests/unit/ui/test_frame_imports.py)
    from lib.common.device import release_cpu_worker_threads

    release_cpu_worker_threads()


def _iterate(steps, total, label, done, note, on_update, must_draw, every_s, finished) -> Outcome:
    bar = Progress(total if isinstance(total, int) else 1, label)
    last_draw, record, drawn = 0.0, None, None
    try:
        for record in steps:
            if must_draw(record) or time.perf_counter() - last_draw >= every_s:
                _draw(bar, record, total, done, note, on_update)
                last_draw, drawn = time.perf_counter(), record
    except ValueError as e:
        bar.done(_("Stopped"))
        return Outcome(False, translate(e))
    if record is not None and record is not drawn:
        # the last record is always shown, but never drawn twice: an identical chart drawn twice in one
        # run is a duplicate element to Streamlit
        _draw(bar, record, total, done, note, on_update)
    bar.done(finished)
    return Outcome(True)


def _draw(bar: Progress, record, total, done, note, on_update) -> None:
    if not isinstance(total, int):
        bar.total = max(1, total(record))
    bar.update(done(record), note(record))
    if on_update is not None:
        on_update(record)
