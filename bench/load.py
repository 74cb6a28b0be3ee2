"""A classroom on one server: N visitors press the heaviest button at the same moment, with and without the
heavy-job gate (ui/gate.py), on a fresh `streamlit run` server per condition.

    .venv/bin/python -m bench.load            # N = 8 and 16 on the style and image-classifier pages
    .venv/bin/python -m bench.load --quick    # N = 2, tiny jobs: checks the script works

Visitors are websocket sessions (bench/visitor.py), not browsers, so the load is the server's alone. For each
page the script first measures one run alone on a warm server (time T1, memory growth M1 over the idle
server), then N runs pressed together. Targets (issue 22): every visitor gets a queue position or progress
within 2 s; no exception; with the gate, peak memory growth <= 1.5 x M1, makespan <= 1.1 x N x T1 and the
first result >= 3x sooner than without the gate; after everyone leaves, memory within 10 % of before.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from bench.common import ROOT, Figure, cli
from bench.server import free_port, rss_mb, start_server, wait_healthy
from bench.visitor import Visit, Visitor

OUT = ROOT / "bench" / "out"


@dataclass(frozen=True)
class Scenario:
    name: str
    page: str       # the page's url path
    query: str      # its link: smaller jobs than the defaults where those would take too long
    button: str     # the widget key of its heaviest action
    described: str  # what one job is, for the table


SCENARIOS = [
    Scenario("style", "style_transfer", "size=128&steps=40&coarse=0", "style.start",
             "style transfer, 128 px, 40 Adam steps"),
    Scenario("classifier", "image_classifier", "preset=mnist_cnn&epochs=1&subset=2000", "clf.start",
             "Fashion-MNIST CNN preset, 1 epoch on 2,000 images"),
]


class MemoryWatch:
    """Samples the server's resident memory every 50 ms; `peak()` since the last `reset()`."""

    def __init__(self, pid: int) -> None:
        self.pid, self._peak, self._stop = pid, 0.0, threading.Event()
        threading.Thread(target=self._loop, daemon=True).start()

    def _loop(self) -> None:
        while not self._stop.wait(0.05):
            self._peak = max(self._peak, rss_mb(self.pid))

    def reset(self) -> None:
        self._peak = rss_mb(self.pid)

    def peak(self) -> float:
        return self._peak

    def stop(self) -> None:
        self._stop.set()


def settle(pid: int, seconds: float = 3.0) -> float:
    """Resident memory once the server has been idle for a moment."""
    time.sleep(seconds)
    return rss_mb(pid)


def press_together(port: int, scenario: Scenario, n: int) -> list[Visit]:
    """N visitors open the page, then all press the button at the same moment."""
    visitors = [Visitor(port, scenario.page, scenario.query) for _ in range(n)]
    for v in visitors:
        v.open()
    start = threading.Barrier(n)
    visits: list[Visit | None] = [None] * n

    def one(i: int) -> None:
        start.wait()
        visits[i] = visitors[i].press(scenario.button)
    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for v in visitors:
        v.close()
    return [v for v in visits if v is not None]


@dataclass
class Condition:
    """One server, gate on or off: a solo run, then N together."""

    solo_s: float
    solo_growth_mb: float
    visits: list[Visit]
    peak_growth_mb: float
    idle_mb: float
    after_mb: float

    @property
    def makespan(self) -> float:
        return max(v.done or float("inf") for v in self.visits)

    @property
    def first_result(self) -> float:
        return min(v.done or float("inf") for v in self.visits)


def measure(scenario: Scenario, n: int, gate: bool) -> Condition:
    port = free_port()
    env = {"EXPLAINER_GATE": "on" if gate else "off", "OMP_NUM_THREADS": None}  # the server picks its threads
    log = OUT / f"load-{scenario.name}-{n}-{'gate' if gate else 'nogate'}.log"
    proc = start_server(ROOT / "app.py", port, log, env=env)
    watch = None
    try:
        wait_healthy(port)
        warm = Visitor(port, scenario.page, scenario.query)
        warm.open()
        warm.press(scenario.button)  # loads models and data once: what every later run shares
        warm.close()
        idle = settle(proc.pid)
        watch = MemoryWatch(proc.pid)
        watch.reset()
        alone = Visitor(port, scenario.page, scenario.query)  # a fresh visitor, like each of the N below
        alone.open()
        solo = alone.press(scenario.button)
        alone.close()
        solo_growth = watch.peak() - idle
        idle = settle(proc.pid)
        watch.reset()
        visits = press_together(port, scenario, n)
        peak = watch.peak()
        after = settle(proc.pid, 10.0)
        return Condition(solo.done or float("nan"), solo_growth, visits, peak - idle, idle, after)
    finally:
        if watch:
            watch.stop()
        proc.terminate()
        proc.wait(timeout=30)


def figures(scenario: Scenario, n: int, on: Condition, off: Condition) -> list[Figure]:
    tag = f"{scenario.name}, N={n}"
    sequential = n * on.solo_s
    feedback = max((v.first_feedback or float("inf")) for v in on.visits)
    errors = sum(len(v.exceptions) for c in (on, off) for v in c.visits) + sum(
        1 for c in (on, off) for v in c.visits if v.done is None)
    return [
        Figure(f"{tag}: one job alone (T1; {scenario.described})", f"{on.solo_s:.1f} s"),
        Figure(f"{tag}: exceptions or unfinished jobs (both conditions)", str(errors), "0", errors == 0),
        Figure(f"{tag}: slowest first feedback with the gate (queue place or progress)", f"{feedback:.2f} s",
               "<= 2 s", feedback <= 2.0),
        Figure(f"{tag}: visitors told their queue place", f"{sum(v.queued for v in on.visits)} of {n}"),
        Figure(f"{tag}: peak memory growth, gate / one job alone",
               f"{on.peak_growth_mb:.0f} MB / {on.solo_growth_mb:.0f} MB = "
               f"{on.peak_growth_mb / max(on.solo_growth_mb, 1):.2f}x", "<= 1.5x",
               on.peak_growth_mb <= 1.5 * max(on.solo_growth_mb, 1)),
        Figure(f"{tag}: peak memory growth without the gate", f"{off.peak_growth_mb:.0f} MB"),
        Figure(f"{tag}: makespan with the gate / N jobs one after another",
               f"{on.makespan:.1f} s / {sequential:.1f} s = {on.makespan / sequential:.2f}x", "<= 1.1x",
               on.makespan <= 1.1 * sequential),
        Figure(f"{tag}: makespan without the gate", f"{off.makespan:.1f} s"),
        Figure(f"{tag}: first result, without / with the gate",
               f"{off.first_result:.1f} s / {on.first_result:.1f} s = {off.first_result / on.first_result:.1f}x",
               ">= 3x", off.first_result >= 3 * on.first_result),
        Figure(f"{tag}: memory after everyone left vs before (gate)",
               f"{on.after_mb:.0f} MB vs {on.idle_mb:.0f} MB", "within 10 %",
               on.after_mb <= 1.1 * on.idle_mb),
    ]


def run(quick: bool) -> list[Figure]:
    OUT.mkdir(parents=True, exist_ok=True)
    counts = [2] if quick else [8, 16]
    out: list[Figure] = []
    for scenario in SCENARIOS:
        for n in counts:
            on, off = measure(scenario, n, gate=True), measure(scenario, n, gate=False)
            out += figures(scenario, n, on, off)
    return out


if __name__ == "__main__":
    cli("Classroom load: N visitors press Start together, with and without the gate", run)
