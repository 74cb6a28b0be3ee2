"""Section 7: CPU against an accelerator - timing matrix products honestly (warm-up, synchronise, median)."""
from __future__ import annotations

import statistics
import time
from collections.abc import Iterator
from dataclasses import dataclass

import torch

from lib.common.device import synchronize
from lib.tensors.basics import check_budget

SIZE_CHOICES = (16, 32, 64, 128, 256, 512, 1024, 2048, 4096)
REPEATS = 3


@dataclass(frozen=True)
class Timing:
    """One measured matrix product."""

    device: str
    n: int
    seconds: float

    @property
    def gflops(self) -> float:
        return 2 * self.n**3 / self.seconds / 1e9  # an n x n @ n x n product costs 2n^3 flops


def matmul_inputs(n: int, device: torch.device, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Two seeded random n x n float32 matrices on `device` (drawn on CPU: same on every device)."""
    check_budget((3, n, n), torch.float32, 3 * SIZE_CHOICES[-1] ** 2 * 4)
    g = torch.Generator().manual_seed(seed)
    a = torch.randn(n, n, generator=g)
    b = torch.randn(n, n, generator=g)
    return a.to(device), b.to(device)


def time_matmul(n: int, device: torch.device, repeats: int = REPEATS, warmup: int = 2,
                min_seconds: float = 0.005) -> float:
    """Median seconds of one `a @ b` (n x n) on `device`, after warm-up, synchronising around each batch.

    Small products take microseconds, less than the clock's noise: each measurement runs the
    product enough times to last about `min_seconds` and divides.
    """
    a, b = matmul_inputs(n, device)
    for _ in range(warmup):  # first calls pay for kernel selection, caches, lazy init
        a @ b
    synchronize(device)
    inner = max(1, int(min_seconds / max(_batch_seconds(a, b, device, 1), 1e-7)))
    return statistics.median(_batch_seconds(a, b, device, inner) / inner for _ in range(max(1, repeats)))


def _batch_seconds(a: torch.Tensor, b: torch.Tensor, device: torch.device, count: int) -> float:
    start = time.perf_counter()
    for _ in range(count):
        a @ b
    synchronize(device)  # GPU calls return before the work is done: wait for it
    return time.perf_counter() - start


def devices_to_time(chosen: torch.device) -> list[torch.device]:
    """The CPU, and the chosen device when it is an accelerator."""
    return [torch.device("cpu")] + ([chosen] if chosen.type != "cpu" else [])


def timing_curve(sizes: tuple[int, ...], devices: list[torch.device], repeats: int = REPEATS) -> Iterator[Timing]:
    """Yield one `Timing` per (device, size), so the page can show progress."""
    for device in devices:
        for n in sizes:
            yield Timing(str(device), n, time_matmul(n, device, repeats))


def crossover(timings: list[Timing], accelerator: str) -> int | None:
    """Smallest size at which the accelerator beat the CPU (None if it never did)."""
    cpu = {t.n: t.seconds for t in timings if t.device == "cpu"}
    for t in sorted((t for t in timings if t.device == accelerator), key=lambda t: t.n):
        if t.n in cpu and t.seconds < cpu[t.n]:
            return t.n
    return None
