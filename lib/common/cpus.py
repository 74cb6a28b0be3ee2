"""How many CPUs this process may use: its affinity, capped by the container's CPU quota.

Kept apart from lib.common.device, which imports torch: the frame's modules (the gate's settings, the
session janitor) need the count before the home page paints, and must not pay for torch to get it.
"""
from __future__ import annotations

import math
import os
from pathlib import Path


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
