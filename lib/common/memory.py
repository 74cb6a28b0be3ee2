"""How much memory this process may use: the container's cgroup limit (what Streamlit Cloud enforces), else
the machine's RAM; and how much it uses now."""
from __future__ import annotations

import functools
import os
from pathlib import Path

CGROUP_V2 = Path("/sys/fs/cgroup/memory.max")
CGROUP_V1 = Path("/sys/fs/cgroup/memory/memory.limit_in_bytes")
NO_LIMIT_V1 = 2**60  # cgroup v1 reports "no limit" as a huge number near 2**63


def cgroup_limit(v2: Path = CGROUP_V2, v1: Path = CGROUP_V1) -> int | None:
    """The container's memory limit in bytes, or None when there is none."""
    for path in (v2, v1):
        try:
            text = path.read_text().strip()
        except OSError:
            continue
        if text == "max":
            return None
        if text.isdigit():
            value = int(text)
            return None if value >= NO_LIMIT_V1 else value
    return None


def machine_memory() -> int:
    """Physical RAM of the machine in bytes (8 GiB when the OS will not say)."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 8 * 2**30


def process_limit() -> int:
    """What this process may use in all: the cgroup limit when smaller than the machine."""
    limit = cgroup_limit()
    return min(limit, machine_memory()) if limit else machine_memory()


def resident_bytes(status: Path = Path("/proc/self/status")) -> int:
    """This process's resident memory now (VmRSS); 0 where /proc does not exist."""
    try:
        for line in status.read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def job_budget(idle_bytes: int, limit: int | None = None, headroom: float = 0.85) -> int:
    """Bytes that heavy jobs may use together: a safe share of the limit, minus what the idle app holds.

    The headroom leaves room for allocator fragmentation, Streamlit's own buffers and light interactions,
    none of which the jobs' estimates count.
    """
    limit = process_limit() if limit is None else limit
    return max(0, int(headroom * limit) - idle_bytes)


def release_free_memory() -> bool:
    """Collect garbage, then hand the allocator's free pages back to the OS; True if glibc did so.

    glibc keeps freed memory in its heaps (one arena per thread that allocated, and every Streamlit session
    runs in its own thread), so without `malloc_trim` a server's resident memory stays at its peak long after
    a class has gone home.
    """
    import gc

    gc.collect()
    libc = _glibc()
    return libc is not None and bool(libc.malloc_trim(0))


M_ARENA_MAX = -8  # glibc's mallopt parameter number


def limit_malloc_arenas(arenas: int) -> bool:
    """Let glibc use at most `arenas` heaps for the whole process; True if it accepted.

    glibc gives each thread that allocates under contention a heap of its own, up to 8 per core, and a heap
    keeps the pages its freed blocks sit between. Every Streamlit session runs in its own thread: after 16
    learners had trained on 2 cores and left, the server stayed 20 % above its earlier size (1,112 vs 925 MB,
    bench/load), and `malloc_trim` could not give it back; with 2 heaps it returned within 5 % (957 vs 916 MB)
    and its peak was lower too. The setting is what the MALLOC_ARENA_MAX environment variable does, made here
    because `streamlit run` (and Streamlit Community Cloud) starts the process for us; heaps that already exist
    stay, no new ones are made.
    """
    libc = _glibc()
    return libc is not None and libc.mallopt(M_ARENA_MAX, max(1, arenas)) == 1


@functools.cache  # looked up once: find_library runs `ldconfig -p`, and the janitor trims every 10 s
def _glibc():
    """The C library when it is glibc (it has `malloc_trim` and `mallopt`), else None: musl, macOS and
    Windows allocate their own way, and there is nothing to trim or set."""
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None
    return libc if hasattr(libc, "malloc_trim") and hasattr(libc, "mallopt") else None
