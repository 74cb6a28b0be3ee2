"""Start-up speed and memory: `streamlit run app.py` to the home page painted in Chromium,
against a bare one-line Streamlit app in the same run; then the server's peak memory after
opening every page.

    .venv/bin/python -m bench.startup [--quick]
"""
from __future__ import annotations

import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import ROOT, Figure, cli
from bench.server import CHROMIUM, CHROMIUM_ARGS, free_port, peak_rss_mb, start_server, wait_healthy

HOME_TEXT = "PyTorch, hands on"
# page title -> its main action's button; the run is stopped after RUN_SECONDS ("short runs")
MAIN_ACTIONS = {
    "Style transfer": "Start",
    "LSTM sentiment": "Start training",
    "RNN lab": "Train",
    "Network playground": "Play",
    "Image classifier": "Train",
}
RUN_SECONDS = 8
BARE_APP = 'import streamlit as st\nst.title("Hello, bare Streamlit")\n'


def time_to_paint(browser, app: Path, text: str, log: Path) -> float:
    """Seconds from launching the server to `text` visible in a fresh browser page."""
    port = free_port()
    started = time.perf_counter()
    proc = start_server(app, port, log)
    try:
        wait_healthy(port, timeout=120)
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{port}")
        page.get_by_text(text).first.wait_for(timeout=120_000)
        elapsed = time.perf_counter() - started
        page.close()
        return elapsed
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def run_main_action(page, title: str) -> None:
    """Press the page's main button, let it work a few seconds, then stop it (Stop or Pause)."""
    from tests.e2e.streamlit_page import wait_idle

    label = MAIN_ACTIONS.get(title)
    if label is None:
        return
    button = page.get_by_role("button", name=re.compile(rf"{re.escape(label)}$"))
    if not button.count():  # e.g. "Train more" after a loaded model: nothing to start
        return
    button.first.click()
    page.wait_for_timeout(RUN_SECONDS * 1000)
    stop = page.get_by_role("button", name=re.compile(r"(Stop|Pause)"))
    if stop.count():
        stop.first.click()
    wait_idle(page)


def peak_memory_after_all_pages(browser, log: Path) -> tuple[float, int]:
    """One session opens every page and runs its main action briefly; the server's peak RSS (MB)."""
    from tests.e2e.streamlit_page import open_from_navigation, wait_idle
    from ui.catalog import PAGES

    port = free_port()
    proc = start_server(ROOT / "app.py", port, log)
    try:
        wait_healthy(port, timeout=120)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"http://127.0.0.1:{port}")
        wait_idle(page)
        for entry in PAGES:
            open_from_navigation(page, entry.title)
            run_main_action(page, entry.title)
        return peak_rss_mb(proc.pid), len(PAGES)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def import_baseline_mb() -> float:
    """Resident memory of a bare Python that imports torch, torchvision and streamlit (this build)."""
    code = ("import torch, torchvision, streamlit; "
            "print(next(l.split()[1] for l in open('/proc/self/status') if l.startswith('VmRSS')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return int(out.strip().splitlines()[-1]) / 1024


def run(quick: bool) -> list[Figure]:
    from playwright.sync_api import sync_playwright

    repeats = 1 if quick else 3
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        bare = Path(tmp) / "bare.py"
        bare.write_text(BARE_APP)
        log = Path(tmp) / "server.log"
        bare_times, app_times = [], []
        for _ in range(repeats):  # interleaved so drifting machine load hits both alike
            bare_times.append(time_to_paint(browser, bare, "Hello, bare Streamlit", log))
            app_times.append(time_to_paint(browser, ROOT / "app.py", HOME_TEXT, log))
        peak, pages = peak_memory_after_all_pages(browser, log)
        browser.close()
    bare_s, app_s = statistics.median(bare_times), statistics.median(app_times)
    ratio = app_s / bare_s
    return [
        Figure("bare one-line app: launch to painted (s, median)", f"{bare_s:.2f}"),
        Figure("app.py: launch to home page painted (s, median)", f"{app_s:.2f}"),
        Figure("ratio app / bare", f"{ratio:.2f}", "<= 1.3", ratio <= 1.3),
        Figure(f"server peak memory, all {pages} pages opened and their main actions run {RUN_SECONDS} s (MB)", f"{peak:.0f}", "<= 1500", peak <= 1500),
        # the share no page can change: a CUDA build maps far more library code than Cloud's CPU wheels
        Figure(f"of which importing torch {torch_version()}, torchvision and streamlit alone (MB)", f"{import_baseline_mb():.0f}"),
    ]


def torch_version() -> str:
    from importlib.metadata import version
    return version("torch")


if __name__ == "__main__":
    cli("Start-up (bench/startup.py)", run)
