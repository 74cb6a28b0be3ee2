"""Run every bench script and write one Markdown report, bench/RESULTS.md.

    .venv/bin/python -m bench.run_all                 # every bench -> a new bench/RESULTS.md
    .venv/bin/python -m bench.run_all --only lstm     # re-measure some: only their sections are replaced
    .venv/bin/python -m bench.run_all --quick         # check that the scripts run: prints, writes nothing
"""
from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from bench.common import ROOT, Figure, table

BENCH_DIR = ROOT / "bench"
NOT_BENCHES = {"__init__", "common", "server", "run_all", "visitor"}


def bench_names() -> list[str]:
    """Start-up first: its launch timings are the most sensitive to what ran just before."""
    return sorted((p.stem for p in BENCH_DIR.glob("*.py") if p.stem not in NOT_BENCHES), key=lambda n: (n != "startup", n))


def cpu_model() -> str:
    return next((l.split(":", 1)[1].strip() for l in Path("/proc/cpuinfo").read_text().splitlines()
                 if l.startswith("model name")), platform.processor())


def machine() -> str:
    """CPU model, cores, GPU and library versions, for the report's header."""
    import torch

    from lib.common.device import cpu_count

    gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "none"
    return (f"- CPU: {cpu_model()}, {cpu_count()} cores available\n- GPU: {gpu}\n"
            f"- torch {torch.__version__}, Python {platform.python_version()}")


def conditions() -> str:
    """When and on which CPU a bench started, and how busy the machine was: figures from another CPU or a
    loaded machine are not comparable (sections re-measured with --only may come from different machines)."""
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    load = Path("/proc/loadavg").read_text().split()[0] if Path("/proc/loadavg").exists() else "?"
    return f"Measured {stamp} on {cpu_model()}; load average {load} when it started (bench/run_all.py)"


def run_one(name: str, quick: bool) -> tuple[str, list[Figure], str]:
    """Run `python -m bench.<name> --json`; a failure becomes one 'short' figure, not a crash."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "figures.json"
        cmd = [sys.executable, "-m", f"bench.{name}", "--json", str(out)] + (["--quick"] if quick else [])
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        if proc.returncode != 0 or not out.exists():
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
            return name, [Figure("script failed", tail[0][:200], "runs", False)], ""
        data = json.loads(out.read_text())
        return data["title"], [Figure(**f) for f in data["figures"]], proc.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", default="", help="comma-separated bench names")
    args = parser.parse_args()
    names = [n for n in bench_names() if not args.only or n in args.only.split(",")]
    sections = []
    for name in names:
        print(f"running bench.{name} …", flush=True)
        when = conditions()
        title, figures, _ = run_one(name, args.quick)
        sections.append(table(title, figures).rstrip("\n") + f"\n\n_{when}_")
        print(sections[-1], flush=True)
    if args.quick:
        print("quick mode checks that the scripts run: bench/RESULTS.md is left as it is")
        return
    results = BENCH_DIR / "RESULTS.md"
    if args.only and results.exists():  # replace just these sections, keep the others' figures
        sections = merge_sections(results.read_text(), sections)
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    header = (f"# Benchmark results\n\nLast written {stamp} by a run on the machine below. Each section's footer says "
              "when it was measured (newer footers also name the CPU): sections kept from earlier runs may come "
              f"from other machines.\n{machine()}\n\n")
    results.write_text(header + "\n\n".join(sections) + "\n")
    print(f"wrote {results}")


def merge_sections(report: str, new: list[str]) -> list[str]:
    """The report's "### title" sections with those in `new` replaced (same title) or appended."""
    old = ["### " + part.strip() for part in report.split("\n### ")[1:]]
    title = lambda section: section.splitlines()[0]  # noqa: E731
    fresh = {title(s): s for s in new}
    merged = [fresh.pop(title(s), s) for s in old]
    return merged + list(fresh.values())


if __name__ == "__main__":
    main()
