"""The one heavy-job gate of this server process, and its settings.

How many heavy jobs run at once (K) and how many torch threads each gets fit together: torch's
thread count is process-wide, so K jobs each use cores // K threads (see
`lib.common.device.configure_cpu_threads`). The default K is one job per 4 cores, at least one: on a
2-core Streamlit Cloud app, jobs run one at a time with both cores each, which finishes the first
learner's job N times sooner than N jobs sharing the cores, and the whole queue no later.

Settings, first found wins:
- environment: `EXPLAINER_HEAVY_JOBS=<K>`, `EXPLAINER_GATE=off` (every job starts at once: only for
  measuring what the gate is worth);
- `.streamlit/secrets.toml`: `heavy_jobs = <K>`, `gate = "off"`.
"""
from __future__ import annotations

import os

import streamlit as st

from lib.common.cpus import cpu_count
from lib.common.gate import Gate
from lib.common.memory import job_budget, resident_bytes

CORES_PER_JOB = 4


def _setting(name: str) -> str | None:
    value = os.environ.get(f"EXPLAINER_{name.upper()}")
    if value is None:
        try:
            value = st.secrets.get(name)
        except Exception:  # noqa: BLE001 - no secrets file, or an unreadable one: use the defaults
            value = None
    return None if value is None else str(value).strip()


def heavy_job_slots() -> int:
    """K: the configured number of concurrent heavy jobs, else one per CORES_PER_JOB cores."""
    configured = _setting("heavy_jobs")
    if configured and configured.isdigit() and int(configured) > 0:
        return int(configured)
    return max(1, cpu_count() // CORES_PER_JOB)


@st.cache_resource(show_spinner=False)
def shared_gate() -> Gate:
    """The process-wide gate, created at the first heavy job (its memory budget subtracts the idle app)."""
    import torch

    from lib.common.device import configure_cpu_threads

    slots = heavy_job_slots()
    configure_cpu_threads(slots)
    budgets = {"cpu": job_budget(resident_bytes())}
    for i in range(torch.cuda.device_count()):
        budgets[f"cuda:{i}"] = int(0.8 * torch.cuda.get_device_properties(i).total_memory)
    return Gate(slots, budgets, enabled=(_setting("gate") or "on").lower() != "off")


def memory_pool(device) -> str:
    """Which budget a job on `device` draws from: its GPU's own memory, else the host's."""
    return f"cuda:{device.index or 0}" if getattr(device, "type", "cpu") == "cuda" else "cpu"


def job_budget_for(device) -> int:
    """Bytes all heavy jobs on `device` may use together: what a page checks a size against."""
    return shared_gate().budget(memory_pool(device))
