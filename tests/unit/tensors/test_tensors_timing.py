"""lib.tensors.timing: timings are positive, the code computes the same product, the crossover is found."""
import torch

from lib.tensors import code, timing
from tests.helpers import run_script


def test_timing_curve_and_code(cpu, tmp_path):
    timings = list(timing.timing_curve((8, 16), [cpu], repeats=1))
    assert [t.n for t in timings] == [8, 16] and all(t.seconds > 0 and t.gflops > 0 for t in timings)
    ns = run_script(code.timing_code((8, 16), "cpu", repeats=1), tmp_path).namespace
    a, b = timing.matmul_inputs(16, cpu)
    torch.testing.assert_close(ns["y"], a @ b)


def test_crossover():
    ts = [timing.Timing("cpu", 64, 1e-5), timing.Timing("cpu", 512, 1e-2), timing.Timing("cuda:0", 64, 2e-5),
          timing.Timing("cuda:0", 512, 1e-4)]
    assert timing.crossover(ts, "cuda:0") == 512
    assert timing.crossover(ts[:3], "cuda:0") is None


def test_devices_to_time(cpu):
    assert timing.devices_to_time(cpu) == [cpu]
    assert timing.devices_to_time(torch.device("cuda", 0)) == [cpu, torch.device("cuda", 0)]


def test_inputs_are_seeded_and_budgeted(cpu):
    a1, _ = timing.matmul_inputs(8, cpu, seed=1)
    a2, _ = timing.matmul_inputs(8, cpu, seed=1)
    a3, _ = timing.matmul_inputs(8, cpu, seed=2)
    assert torch.equal(a1, a2) and not torch.equal(a1, a3)
