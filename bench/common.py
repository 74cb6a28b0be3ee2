"""What every bench script shares: timing helpers, one result type, one CLI.

A script defines `run(quick: bool) -> list[Figure]` and ends with
`if __name__ == "__main__": cli("title", run)`. It prints a Markdown table;
`--json PATH` also writes the figures for bench/run_all.py to collect.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@dataclass
class Figure:
    name: str              # what was measured, with its unit
    value: str             # this run's value, formatted
    target: str = ""       # the goal, e.g. ">= 5x"; empty when informational
    ok: bool | None = None  # None when there is no target


def median_time(fn: Callable[[], object], repeats: int = 5, warmup: int = 1) -> float:
    """Median wall-clock seconds of `fn()` over `repeats` runs after `warmup` runs."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def interleaved_times(fns: dict[str, Callable[[], object]], repeats: int = 5,
                      warmup: int = 1) -> dict[str, list[float]]:
    """Wall-clock seconds of each function, taking turns: run k of every function happens close in time,
    so a slow spell on a shared machine hits all of them and per-run ratios stay meaningful."""
    for fn in fns.values():
        for _ in range(warmup):
            fn()
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return times


def median_ratio(slow: list[float], fast: list[float]) -> float:
    """Median over paired runs of slow / fast."""
    return statistics.median(s / f for s, f in zip(slow, fast))


def table(title: str, figures: list[Figure]) -> str:
    lines = [f"### {title}", "", "| figure | value | target | result |", "|---|---|---|---|"]
    for f in figures:
        verdict = "" if f.ok is None else ("pass" if f.ok else "short")
        lines.append(f"| {f.name} | {f.value} | {f.target} | {verdict} |")
    return "\n".join(lines)


def cli(title: str, run: Callable[[bool], list[Figure]]) -> None:
    parser = argparse.ArgumentParser(description=title)
    parser.add_argument("--quick", action="store_true", help="tiny sizes: checks the script works, figures meaningless")
    parser.add_argument("--json", type=Path, help="also write the figures here as JSON")
    args = parser.parse_args()
    figures = run(args.quick)
    print(table(title, figures))
    if args.json:
        args.json.write_text(json.dumps({"title": title, "figures": [asdict(f) for f in figures]}, indent=1))


def accelerators() -> list:
    """The CUDA / MPS devices present: each bench adds its page's figures for them (none on CPU-only)."""
    from lib.common.device import available_devices

    return [d.device for d in available_devices() if d.key != "cpu"]
