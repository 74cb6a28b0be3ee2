"""Start `streamlit run` on loopback and drive Debian's Chromium: shared by bench/ and tests/e2e/."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"  # Debian's package; never a downloaded browser
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(app: Path, port: int, log: Path, env: dict[str, str | None] | None = None) -> subprocess.Popen:
    """`streamlit run app` on 127.0.0.1:port, headless, no file watcher, output to `log`.

    `env` adds environment variables for the server (a None value removes one)."""
    cmd = [
        sys.executable, "-m", "streamlit", "run", str(app),
        "--server.port", str(port), "--server.address", "127.0.0.1",
        "--server.headless", "true", "--server.fileWatcherType", "none",
        "--browser.gatherUsageStats", "false",
    ]
    merged = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
    merged = {k: v for k, v in merged.items() if v is not None}
    return subprocess.Popen(cmd, cwd=ROOT, env=merged, stdout=log.open("w"), stderr=subprocess.STDOUT)


def wait_healthy(port: int, timeout: float = 90) -> None:
    """Poll /_stcore/health until the server answers 200."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"streamlit did not become healthy on port {port}")


def peak_rss_mb(pid: int) -> float:
    """Peak resident memory (VmHWM) of a process, in MB (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def rss_mb(pid: int) -> float:
    """Current resident memory (VmRSS) of a process, in MB (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")
