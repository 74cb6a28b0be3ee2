"""lib.common.gate: slots, arrival order, memory, leaving, wait estimates; lib.common.memory: budgets."""
import threading

import pytest

from lib.common import memory
from lib.common.gate import GIB, Gate, TooBig


class Clock:
    """A hand-driven clock, so wait estimates are exact."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def gate(slots=1, budget=8 * GIB, **kw) -> Gate:
    return Gate(slots, {"cpu": budget}, **kw)


def test_one_slot_runs_jobs_one_after_another_in_arrival_order():
    g = gate()
    a, b, c = (g.join("style") for _ in range(3))
    assert (a.started is not None, b.started, c.started) == (True, None, None)
    assert (g.position(a), g.position(b), g.position(c)) == (0, 1, 2)
    g.leave(a, finished=True)
    assert b.started is not None and c.started is None and g.position(c) == 1
    assert g.counts() == (1, 1)


def test_slots_run_side_by_side():
    g = gate(slots=2)
    tickets = [g.join("train") for _ in range(3)]
    assert [t.started is not None for t in tickets] == [True, True, False]


def test_memory_holds_the_queue_head_and_nobody_overtakes_it():
    g = gate(slots=4, budget=10 * GIB)
    big = g.join("style", need=6 * GIB)
    bigger = g.join("style", need=5 * GIB)   # 6 + 5 > 10: waits although slots are free
    small = g.join("train", need=1 * GIB)    # would fit, but arrived later: first come, first served
    assert big.started is not None and bigger.started is None and small.started is None
    g.leave(big, finished=True)
    assert bigger.started is not None and small.started is not None


def test_a_job_that_can_never_fit_is_refused_with_both_numbers():
    with pytest.raises(TooBig, match="3.00 GiB.*2.00 GiB") as e:
        gate(budget=2 * GIB).join("style", need=3 * GIB)
    assert (e.value.need, e.value.budget) == (3 * GIB, 2 * GIB)


def test_leaving_the_queue_frees_the_place_and_a_stopped_run_frees_its_slot():
    g = gate()
    a, b, c = (g.join("train") for _ in range(3))
    g.leave(b)                 # Stop while waiting
    assert g.position(c) == 1
    g.leave(a)                 # Stop while running: c starts, nothing recorded
    assert c.started is not None and g.counts() == (1, 0)
    g.leave(c)
    g.leave(c)                 # leaving twice (Stop, then the session ends) is harmless
    assert g.counts() == (0, 0)


def test_pools_have_their_own_budgets():
    g = Gate(2, {"cpu": 2 * GIB, "cuda:0": 10 * GIB})
    assert g.budget("cuda:0") == 10 * GIB and g.budget("mps") == 2 * GIB  # unknown pools share the host's
    a = g.join("style", need=2 * GIB, pool="cpu")
    b = g.join("style", need=6 * GIB, pool="cuda:0")
    assert a.started is not None and b.started is not None


def test_wait_estimate_counts_down_and_learns_from_finished_runs():
    clock = Clock()
    g = gate(clock=clock)
    a = g.join("style", expected_s=60)
    b = g.join("style", expected_s=60)
    c = g.join("style", expected_s=60)
    assert (g.estimated_wait(b), g.estimated_wait(c)) == (60, 120)
    clock.now = 20
    assert (g.estimated_wait(b), g.estimated_wait(c)) == (40, 100)
    clock.now = 30
    g.leave(a, finished=True)  # a real run took 30 s: the estimate follows it
    assert g.estimated_wait(b) == 0 and g.estimated_wait(c) == 30


def test_two_slots_share_the_jobs_ahead():
    g = gate(slots=2, clock=Clock())
    tickets = [g.join("train", expected_s=10) for _ in range(5)]
    assert [g.estimated_wait(t) for t in tickets] == [0, 0, 10, 10, 20]


def test_switched_off_everything_starts_at_once():
    g = gate(enabled=False, budget=GIB)
    tickets = [g.join("style", need=GIB) for _ in range(5)]
    assert all(t.started is not None for t in tickets)


def test_wait_blocks_until_the_slot_frees():
    g = gate()
    a, b = g.join("train"), g.join("train")
    assert g.wait(b, timeout=0.01) is False
    threading.Timer(0.05, g.leave, args=(a,)).start()
    assert g.wait(b, timeout=5) is True


@pytest.mark.parametrize("v2, v1, expected", [
    ("2899102924\n", None, 2899102924),   # cgroup v2 with a limit (Streamlit Cloud's ~2.7 GiB)
    ("max\n", None, None),                # v2, no limit
    (None, "9223372036854771712", None),  # v1 "no limit" is a huge number
    (None, "1073741824", 2**30),          # v1 with a limit
    (None, None, None),                   # no cgroup files at all
])
def test_cgroup_limit(tmp_path, v2, v1, expected):
    p2, p1 = tmp_path / "memory.max", tmp_path / "limit_in_bytes"
    if v2 is not None:
        p2.write_text(v2)
    if v1 is not None:
        p1.write_text(v1)
    assert memory.cgroup_limit(p2, p1) == expected


def test_job_budget_leaves_headroom_and_subtracts_the_idle_app():
    assert memory.job_budget(idle_bytes=GIB, limit=4 * GIB, headroom=0.75) == 2 * GIB
    assert memory.job_budget(idle_bytes=8 * GIB, limit=4 * GIB) == 0
    assert memory.resident_bytes() > 10 * 2**20  # this test process holds more than 10 MiB
    assert memory.process_limit() <= memory.machine_memory()
