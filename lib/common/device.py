"""Which devices this process can compute on, and how to describe them."""
from __future__ import annotations

import math
import os
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import torch

from lib.common.messages import Message


@dataclass(frozen=True)
class DeviceInfo:
    """One device a user can pick: `key` is what `torch.device` takes."""

    key: str    # "cuda:0", "mps" or "cpu"
    label: str  # human name shown in the selector

    @property
    def device(self) -> torch.device:
        return torch.device(self.key)


def available_devices() -> list[DeviceInfo]:
    """Accelerators first (CUDA, then Apple MPS), CPU always last."""
    found: list[DeviceInfo] = []
    if torch.cuda.is_available():
        for i in range(torch.cuda.device_count()):
            found.append(DeviceInfo(f"cuda:{i}", Message("GPU {i}: {name}", i=i, name=torch.cuda.get_device_name(i))))
    if _mps_available():
        found.append(DeviceInfo("mps", Message("Apple GPU (MPS)")))
    found.append(DeviceInfo("cpu", Message("CPU ({n} threads)", n=cpu_count())))
    return found


def default_device() -> DeviceInfo:
    """The best device present: CUDA, else MPS, else CPU."""
    return available_devices()[0]


def cpu_count(quota_file: Path = Path("/sys/fs/cgroup/cpu.max")) -> int:
    """CPUs this process may run on: its affinity, capped by the container's CPU quota if it has one."""
    try:
        n = len(os.sched_getaffinity(0))
    except AttributeError:  # macOS and Windows have no sched_getaffinity
        n = os.cpu_count() or 1
    try:
        quota, period = quota_file.read_text().split()[:2]  # "200000 100000" = 2 CPUs; "max 100000" = none
        if quota != "max":
            n = min(n, max(1, math.ceil(int(quota) / int(period))))
    except (OSError, ValueError):
        pass
    return n


def configure_cpu_threads(concurrent_jobs: int = 1) -> int:
    """Give each of `concurrent_jobs` heavy jobs an equal share of our CPUs, once per process.

    torch's intra-op thread count is process-wide, and every Python thread that runs an op gets a team of
    that many threads: K jobs at once use K x threads. So the thread count is cores // K, never more
    (torch's default, the *host's* core count, oversubscribes a container with a CPU quota). An explicit
    OMP_NUM_THREADS (which torch already honours) wins: the test suite sets 1, since its server, browser
    and test process share two cores. Returns the thread count.
    """
    if os.environ.get("OMP_NUM_THREADS"):
        return torch.get_num_threads()
    n = max(1, cpu_count() // max(1, concurrent_jobs))
    if torch.get_num_threads() != n:
        torch.set_num_threads(n)
    return n


def versions() -> dict[str, str]:
    """Library versions and accelerator facts for the home page."""
    import torchvision

    info = {
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
        Message("CUDA available"): str(torch.cuda.is_available()),
        Message("CUDA version (build)"): str(torch.version.cuda),
        Message("MPS available"): str(_mps_available()),
        Message("CPU threads used by torch"): str(torch.get_num_threads()),
    }
    if torch.cuda.is_available():
        info[Message("GPU")] = torch.cuda.get_device_name(0)
    return info


def synchronize(device: torch.device) -> None:
    """Wait for queued kernels, so wall-clock timings are honest."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    elif device.type == "mps":
        torch.mps.synchronize()


def _mps_available() -> bool:
    return bool(getattr(torch.backends, "mps", None) and torch.backends.mps.is_available())


def seed_device(device: torch.device, seed: int) -> None:
    """Seed only the random generator that `device` draws from.

    torch.manual_seed also queues seeds for every CUDA, XPU and MTIA device, recording a stack
    trace each time when none is initialised: ~0.7 ms, too slow to call once per training step.
    """
    if device.type == "cpu":
        torch.default_generator.manual_seed(seed)
    elif device.type == "cuda":
        with torch.cuda.device(device):
            torch.cuda.manual_seed(seed)
    else:
        torch.manual_seed(seed)


@contextmanager
def seeded_rng(seed: int, device: torch.device = torch.device("cpu")) -> Iterator[None]:
    """Run a block on a freshly seeded global generator of `device`, restored afterwards.

    Streamlit sessions are threads of one process sharing the global generators: seeding a fork
    keeps a model's init (or a dropout mask) reproducible without disturbing anyone else.
    """
    with torch.random.fork_rng(devices=[device] if device.type == "cuda" else []):
        seed_device(device, seed)
        yield
