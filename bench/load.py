"""A classroom on one server: N visitors press the heaviest button at the same moment, with and without the
heavy-job gate (ui/gate.py), on a fresh `streamlit run` server per condition.

    .venv/bin/python -m bench.load            # N = 8 and 16 on the style and image-classifier pages
    .venv/bin/python -m bench.load --quick    # N = 2, tiny jobs: checks the script works

Visitors are websocket sessions (bench/visitor.py), not browsers, so the load is the server's alone. A job's
time counts from the press to the end of the script run that shows its result.

For each page, one server measures a single run: its memory growth over the idle, freshly started server (M1:
the page, its shared caches and one job) and, from a second fresh visitor, the time of one job on a warm server
(T1). Then, for each N, with and without the gate, a fresh server gets one visitor who runs a job first and
stays (the teacher), then N visitors press together; when they have left, the bench waits until the server has
dropped their sessions (Streamlit's reconnect time, then ui/sessions.py's janitor). Targets (issue 22): every
visitor gets a queue position or progress within 2 s; no exception; with the gate, peak memory growth over the
idle server <= 1.5 x M1, makespan <= 1.1 x N x T1 and the first result >= 3x sooner than without the gate;
after everyone left, memory within 10 % of the level before the N pressed.
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
    Scenario("classifier", "image_classifier", "preset=mnist_cnn&epochs=2", "clf.start",
             "Fashion-MNIST CNN preset, 2 epochs on all 60,000 images"),
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


def reconnect_ttl_s() -> float:
    """The server's `disconnectedSessionTTL` from .streamlit/config.toml (Streamlit's default: 120 s)."""
    import tomllib

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    return float(config.get("server", {}).get("disconnectedSessionTTL", 120))


def result_s(visit: Visit) -> float:
    return visit.finished if visit.finished is not None else float("inf")


@dataclass
class Single:
    """One visitor alone: memory growth of a single run over the idle server, and one job's time."""

    growth_mb: float
    job_s: float


@dataclass
class Condition:
    """One server, gate on or off: the teacher's run, then N pressed together."""

    visits: list[Visit]
    peak_growth_mb: float   # over the idle, freshly started server (as Single.growth_mb)
    before_mb: float        # the teacher's run done, before the N pressed
    after_mb: float         # everyone left and their sessions dropped

    @property
    def makespan(self) -> float:
        return max(result_s(v) for v in self.visits)

    @property
    def first_result(self) -> float:
        return min(result_s(v) for v in self.visits)


class Server:
    """A fresh `streamlit run` of the app with the gate on or off, and a memory watch on it."""

    def __init__(self, name: str, gate: bool) -> None:
        self.port = free_port()
        env = {"EXPLAINER_GATE": "on" if gate else "off", "OMP_NUM_THREADS": None}  # the server picks its threads
        self.proc = start_server(ROOT / "app.py", self.port, OUT / f"load-{name}.log", env=env)
        wait_healthy(self.port)
        self.idle_mb = settle(self.proc.pid)
        self.watch = MemoryWatch(self.proc.pid)
        self.watch.reset()

    def visit(self, scenario: Scenario, stay: bool = False) -> tuple[Visit, Visitor]:
        visitor = Visitor(self.port, scenario.page, scenario.query)
        visitor.open()
        visit = visitor.press(scenario.button)
        if not stay:
            visitor.close()
        return visit, visitor

    def stop(self) -> None:
        self.watch.stop()
        self.proc.terminate()
        self.proc.wait(timeout=30)


def measure_single(scenario: Scenario) -> Single:
    server = Server(f"{scenario.name}-single", gate=True)
    try:
        server.visit(scenario)  # loads the page's models and data: part of a single run's memory
        growth = server.watch.peak() - server.idle_mb
        second, _ = server.visit(scenario)  # a fresh visitor on the warm server, like each of the N
        return Single(growth, result_s(second))
    finally:
        server.stop()


def measure(scenario: Scenario, n: int, gate: bool) -> Condition:
    server = Server(f"{scenario.name}-{n}-{'gate' if gate else 'nogate'}", gate)
    try:
        _, teacher = server.visit(scenario, stay=True)
        before = settle(server.proc.pid)
        visits = press_together(server.port, scenario, n)
        peak = server.watch.peak()
        # their sessions stay for Streamlit's reconnect time, then the janitor (every 10 s) drops them
        after = settle(server.proc.pid, reconnect_ttl_s() + 15.0) if gate else float("nan")
        teacher.close()
        return Condition(visits, peak - server.idle_mb, before, after)
    finally:
        server.stop()


def figures(scenario: Scenario, n: int, single: Single, on: Condition, off: Condition) -> list[Figure]:
    tag = f"{scenario.name}, N={n}"
    sequential = n * single.job_s
    feedback = max((v.first_feedback or float("inf")) for v in on.visits)
    errors = sum(len(v.exceptions) for c in (on, off) for v in c.visits) + sum(
        1 for c in (on, off) for v in c.visits if v.finished is None)
    return [
        Figure(f"{tag}: one job alone, press to result shown (T1; {scenario.described})", f"{single.job_s:.1f} s"),
        Figure(f"{tag}: exceptions or unfinished jobs (both conditions)", str(errors), "0", errors == 0),
        Figure(f"{tag}: slowest first feedback with the gate (queue place or progress)", f"{feedback:.2f} s",
               "<= 2 s", feedback <= 2.0),
        Figure(f"{tag}: visitors told their queue place", f"{sum(v.queued for v in on.visits)} of {n}"),
        Figure(f"{tag}: peak memory growth over the idle server, gate / a single run",
               f"{on.peak_growth_mb:.0f} MB / {single.growth_mb:.0f} MB = "
               f"{on.peak_growth_mb / single.growth_mb:.2f}x", "<= 1.5x",
               on.peak_growth_mb <= 1.5 * single.growth_mb),
        Figure(f"{tag}: peak memory growth over the idle server without the gate", f"{off.peak_growth_mb:.0f} MB"),
        Figure(f"{tag}: makespan with the gate / N jobs one after another",
               f"{on.makespan:.1f} s / {sequential:.1f} s = {on.makespan / sequential:.2f}x", "<= 1.1x",
               on.makespan <= 1.1 * sequential),
        Figure(f"{tag}: makespan without the gate", f"{off.makespan:.1f} s"),
        Figure(f"{tag}: first result, without / with the gate",
               f"{off.first_result:.1f} s / {on.first_result:.1f} s = {off.first_result / on.first_result:.1f}x",
               ">= 3x", off.first_result >= 3 * on.first_result),
        Figure(f"{tag}: memory once everyone left and their sessions were dropped, vs before they pressed (gate)",
               f"{on.after_mb:.0f} MB vs {on.before_mb:.0f} MB", "within 10 %",
               on.after_mb <= 1.1 * on.before_mb),
    ]


def run(quick: bool) -> list[Figure]:
    OUT.mkdir(parents=True, exist_ok=True)
    counts = [2] if quick else [8, 16]
    out: list[Figure] = []
    for scenario in SCENARIOS:
        single = measure_single(scenario)
        for n in counts:
            on, off = measure(scenario, n, gate=True), measure(scenario, n, gate=False)
            out += figures(scenario, n, single, on, off)
    return out


if __name__ == "__main__":
    cli("Classroom load: N visitors press Start together, with and without the gate", run)
