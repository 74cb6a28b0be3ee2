"""Matrix-product timings behind the playground's "CPU vs GPU" tab.

Compares, in one run: torch on CPU against NumPy on CPU (same data), and the accelerator
against the CPU when one is present. Run: `.venv/bin/python -m bench.tensors [--quick]`.
"""
from __future__ import annotations

import time

import numpy as np
import torch

from bench.common import Figure, cli, median_time
from lib.common.device import available_devices, configure_cpu_threads
from lib.tensors.timing import matmul_inputs, time_matmul

SIZES = (64, 256, 1024, 2048)
QUICK_SIZES = (32, 64)
# Each library is timed after the other's worker threads have gone to sleep: after a product, NumPy's OpenBLAS
# threads keep spinning for a while, and on 2 cores they took the CPUs from torch's (n=1024: 9.6-14 ms a product
# right after NumPy's, 5.5 ms after a pause; NumPy 6.1 ms either way once torch's threads sleep).
SETTLE_S = 0.3


def run(quick: bool) -> list[Figure]:
    """CPU torch vs NumPy at each size, then accelerator vs CPU where there is one."""
    configure_cpu_threads()
    sizes = QUICK_SIZES if quick else SIZES
    cpu = torch.device("cpu")
    figures, cpu_seconds = [], {}
    for n in sizes:
        time.sleep(SETTLE_S)
        cpu_seconds[n] = time_matmul(n, cpu, repeats=3 if quick else 5)
        a, b = (t.numpy() for t in matmul_inputs(n, cpu))
        time.sleep(SETTLE_S)
        numpy_seconds = median_time(lambda: np.matmul(a, b), repeats=3 if quick else 5, warmup=1)
        gflops = 2 * n**3 / cpu_seconds[n] / 1e9
        figures.append(Figure(f"CPU torch n={n} (ms, GFLOP/s)", f"{cpu_seconds[n] * 1e3:.3f} ms, {gflops:.1f}"))
        figures.append(Figure(f"CPU torch / NumPy time n={n}", f"{cpu_seconds[n] / numpy_seconds:.2f}", "<= 1.5",
                              cpu_seconds[n] / numpy_seconds <= 1.5))
    for info in (d for d in available_devices() if d.key != "cpu"):
        for n in sizes:
            seconds = time_matmul(n, info.device, repeats=3 if quick else 5)
            speedup = cpu_seconds[n] / seconds
            target = ">= 5x" if n >= 1024 else ""
            figures.append(Figure(f"{info.key} speed-up over CPU n={n}", f"{speedup:.1f}x", target,
                                  speedup >= 5 if target else None))
    return figures


if __name__ == "__main__":
    cli("Tensor playground: matrix product timings", run)
