"""A process-wide, first-come-first-served gate for heavy jobs (training, stylisation, feature extraction).

Every visitor of a Streamlit server is a thread of one process. Without a gate, twenty learners pressing
Start at once share the cores twenty ways (all finish last) and add up their activations until the
platform kills the process for everyone. The gate lets at most `slots` jobs run at once, and only while
their estimated peak memory fits in the budget of the pool they use (host RAM or one GPU); the rest wait
in arrival order and can see their position and an estimated wait.

Pure Python and thread-safe; the page side (waiting message, Stop) lives in ui/jobs.py.
"""
from __future__ import annotations

import itertools
import statistics
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Callable

from lib.common.messages import N_, LearnerError

GIB = 2**30


class TooBig(LearnerError):
    """A job whose own estimate exceeds its pool's whole budget: it could never start."""

    def __init__(self, need: int, budget: int) -> None:
        super().__init__(N_("This job needs about {need:.2f} GiB of memory, but the server allows {budget:.2f} "
                            "GiB for all jobs together: choose a smaller size."), need=need / GIB, budget=budget / GIB)
        self.need, self.budget = need, budget


@dataclass
class Ticket:
    """One job's place: waiting until `started` is set, running until it leaves."""

    id: int
    label: str          # what kind of job ("style", "train"...): waits are estimated per kind
    need: int           # estimated peak bytes
    pool: str           # which memory the job uses: "cpu" or a device key such as "cuda:0"
    expected_s: float   # the page's own estimate of the run time, used until real runs are recorded
    joined: float
    started: float | None = None


@dataclass
class Gate:
    """At most `slots` jobs at once, in arrival order, each admitted only when its memory fits."""

    slots: int
    budgets: dict[str, int]                     # pool -> bytes all running jobs of that pool may use
    clock: Callable[[], float] = time.monotonic
    enabled: bool = True                        # off: every job starts at once (the "no gate" baseline)
    _lock: threading.Condition = field(default_factory=threading.Condition, repr=False)
    _waiting: list[Ticket] = field(default_factory=list, repr=False)
    _running: list[Ticket] = field(default_factory=list, repr=False)
    _ids: itertools.count = field(default_factory=itertools.count, repr=False)
    _durations: dict[str, deque] = field(default_factory=dict, repr=False)

    def budget(self, pool: str = "cpu") -> int:
        """Bytes that all running jobs of `pool` may use together."""
        return self.budgets.get(pool, self.budgets["cpu"])

    def join(self, label: str, need: int = 0, pool: str = "cpu", expected_s: float = 30.0) -> Ticket:
        """Queue a job; raises TooBig when it could never fit, even alone."""
        if self.enabled and need > self.budget(pool):
            raise TooBig(need, self.budget(pool))
        with self._lock:
            ticket = Ticket(next(self._ids), label, need, pool, expected_s, self.clock())
            self._waiting.append(ticket)
            self._admit()
            return ticket

    def wait(self, ticket: Ticket, timeout: float) -> bool:
        """Block up to `timeout` seconds for the ticket to start; True once it runs."""
        with self._lock:
            return self._lock.wait_for(lambda: ticket.started is not None, timeout)

    def leave(self, ticket: Ticket, finished: bool = False) -> None:
        """Free the ticket's place (waiting or running); a finished run teaches the wait estimate."""
        with self._lock:
            if ticket in self._waiting:
                self._waiting.remove(ticket)
            elif ticket in self._running:
                self._running.remove(ticket)
                if finished and ticket.started is not None:
                    self._durations.setdefault(ticket.label, deque(maxlen=9)).append(self.clock() - ticket.started)
            self._admit()

    def position(self, ticket: Ticket) -> int:
        """1 for the next job to start, 2 behind it...; 0 once running (or gone)."""
        with self._lock:
            return self._waiting.index(ticket) + 1 if ticket in self._waiting else 0

    def estimated_wait(self, ticket: Ticket) -> float:
        """Seconds until the ticket should start: the running jobs' remaining time, then the jobs ahead."""
        with self._lock:
            if ticket not in self._waiting:
                return 0.0
            now = self.clock()
            # each slot frees when its job ends; the jobs ahead then take the earliest free slot in turn
            frees = sorted(max(0.0, self._typical(t) - (now - t.started)) for t in self._running)
            frees += [0.0] * max(0, self.slots - len(frees))
            for ahead in self._waiting[: self._waiting.index(ticket)]:
                frees = sorted(frees[1:] + [frees[0] + self._typical(ahead)])
            return frees[0]

    def counts(self) -> tuple[int, int]:
        """(running, waiting) right now."""
        with self._lock:
            return len(self._running), len(self._waiting)

    def _typical(self, ticket: Ticket) -> float:
        recorded = self._durations.get(ticket.label)
        return statistics.median(recorded) if recorded else ticket.expected_s

    def _admit(self) -> None:
        """Start waiting jobs from the head of the queue while a slot and their memory are free."""
        while self._waiting:
            head = self._waiting[0]
            if self.enabled:
                used = sum(t.need for t in self._running if t.pool == head.pool)
                if len(self._running) >= self.slots or used + head.need > self.budget(head.pool):
                    return  # first come, first served: nobody overtakes the head of the queue
            self._waiting.pop(0)
            head.started = self.clock()
            self._running.append(head)
            self._lock.notify_all()
