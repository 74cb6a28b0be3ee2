"""A real `streamlit run app.py` server and Debian's headless Chromium (never a downloaded browser)."""
from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from bench.server import CHROMIUM, CHROMIUM_ARGS, ROOT, free_port, start_server, wait_healthy

ARTIFACTS = ROOT / "test-artifacts"

# A busy machine (CI, or tests beside benchmarks) can take seconds to start a rerun after a click; checks wait
# this long before failing (a passing check returns as soon as it holds, so this costs nothing when all is well).
expect.set_options(timeout=30_000)


@pytest.fixture(scope="session")
def server():
    """The running `streamlit run app.py` process (its pid is used for memory checks)."""
    ARTIFACTS.mkdir(exist_ok=True)
    port = free_port()
    proc = start_server(ROOT / "app.py", port, ARTIFACTS / "server.log")
    try:
        wait_healthy(port)
        proc.url = f"http://127.0.0.1:{port}"
        yield proc
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.fixture(scope="session")
def server_url(server) -> str:
    return server.url


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: run scripts/setup.sh test (apt-get install chromium)")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture
def screenshot_dir() -> Path:
    path = ARTIFACTS / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path
