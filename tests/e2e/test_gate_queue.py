"""The heavy-job gate as visitors see it: with one place, a second visitor's training waits in the queue,
sees "number 1", and starts as soon as the first visitor stops (issue 22)."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from bench.server import ROOT, free_port, start_server, wait_healthy
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.streamlit_page import assert_no_exception, open_app, screenshot_whole_page, wait_idle

# A long job (30 epochs of the MLP on all 60,000 images): it is still running when the second visitor
# presses Train, however slow the machine.
LONG_RUN = "/image_classifier?epochs=30"
QUEUE = '[data-testid="stAlert"]'


@pytest.fixture(scope="module")
def one_place_server():
    """A server whose gate runs one heavy job at a time (EXPLAINER_HEAVY_JOBS=1), whatever the cores."""
    ARTIFACTS.mkdir(exist_ok=True)
    port = free_port()
    proc = start_server(ROOT / "app.py", port, ARTIFACTS / "server-gate.log",
                        env={"EXPLAINER_HEAVY_JOBS": "1"})
    try:
        wait_healthy(port)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def open_and_train(page: Page, url: str) -> None:
    open_app(page, url + LONG_RUN)
    assert_no_exception(page)
    page.get_by_role("button", name=re.compile(r"^\W*Train$")).first.click()


def stop(page: Page) -> None:
    page.get_by_role("button", name=re.compile(r"^\W*Stop$")).first.click()
    wait_idle(page)


def test_second_visitor_waits_in_line_then_runs(browser: Browser, one_place_server: str, screenshot_dir):
    first = browser.new_context().new_page()
    second = browser.new_context().new_page()
    try:
        open_and_train(first, one_place_server)
        expect(first.get_by_text(re.compile(r"Training: \d+/\d+")).first).to_be_visible(timeout=120_000)

        open_and_train(second, one_place_server)
        waiting = second.locator(QUEUE, has_text="in the queue")
        expect(waiting).to_contain_text("number 1", timeout=10_000)
        expect(waiting).to_contain_text("1 running")
        screenshot_whole_page(second, str(screenshot_dir / "gate_waiting.png"))

        stop(first)  # the first visitor leaves the gate: the second one's job starts
        expect(waiting).to_have_count(0, timeout=30_000)
        expect(second.get_by_text(re.compile(r"Training: \d+/\d+")).first).to_be_visible(timeout=120_000)
        assert_no_exception(second)
        stop(second)
        assert_no_exception(first)
        assert_no_exception(second)
    finally:
        first.context.close()
        second.context.close()
