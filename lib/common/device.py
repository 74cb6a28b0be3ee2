"""Which devices this process can compute on, and how to describe them."""
from __future__ import annotations

import ctypes
import functools
import os
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

import torch

from lib.common.cpus import cpu_count  # noqa: F401 - also this module's name for it (callers, tests)
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


OMP_PAUSE_SOFT = 1  # omp_pause_resource_t: end the worker threads, keep the settings


def release_cpu_worker_threads() -> bool:
    """End the OpenMP worker threads that torch started for *this* thread; True when they were ended.

    Why: GNU OpenMP (the runtime torch ships on Linux) keeps a team of worker threads per Python thread
    that ever ran a parallel op, and once it manages more threads than there are CPUs, *every* team stops
    spinning between two parallel regions and sleeps instead. A queued visitor's script thread, which ran
    a few ops while drawing its page and then waits its turn, thus made the running job's many small ops
    wait for wake-ups: on 2 cores a queued classifier job kept the running one at 1.2 busy cores and 10.5 s
    instead of 2 cores and 6 s (bench/load). A thread about to wait, or done with its job, hands its
    workers back here (OpenMP 5's `omp_pause_resource_all`); its next parallel op starts a fresh team.
    Does nothing, and returns False, where another OpenMP runtime (or none) is loaded.
    """
    runtime = _openmp_runtime()
    if runtime is None:
        return False
    return runtime.omp_pause_resource_all(OMP_PAUSE_SOFT) == 0


@functools.cache
def _openmp_runtime():
    """torch's already loaded GNU OpenMP library, or None (RTLD_NOLOAD: never loads a second copy)."""
    try:
        runtime = ctypes.CDLL("libgomp.so.1", mode=os.RTLD_NOLOAD | os.RTLD_LAZY)
        runtime.omp_pause_resource_all.argtypes = [ctypes.c_int]
        return runtime
    except (OSError, AttributeError):  # not Linux, another runtime, or a libgomp older than GCC 9
        return None


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


_GLOBAL_RNG_LOCK = threading.RLock()  # re-entrant: a seeded block may build a model that seeds again


@contextmanager
def seeded_rng(seed: int, device: torch.device = torch.device("cpu")) -> Iterator[None]:
    """Run a block on a freshly seeded global generator of `device`, restored afterwards.

    Streamlit sessions are threads of one process sharing the global generators: seeding a fork
    keeps a model's init (or a dropout mask) reproducible without disturbing anyone else. The blocks of
    all sessions take turns (a process-wide lock): two at once would seed and draw from the one global
    generator in between each other, and each would get a mix of both streams. Blocks are short (a
    model's init, one training step, an evaluation), so the wait is too.
    """
    with _GLOBAL_RNG_LOCK, torch.random.fork_rng(devices=[device] if device.type == "cuda" else []):
        seed_device(device, seed)
        yield
