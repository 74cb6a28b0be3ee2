"""Stopping a long run, or leaving its page, ends the work quickly and frees its memory."""
import time

from playwright.sync_api import Page, expect

from bench.server import rss_mb
from tests.e2e.streamlit_page import (
    RUNNING, assert_no_exception, open_app, open_from_navigation, screenshot_whole_page, wait_idle,
)

CYCLES = 10


def start_names_training(page: Page) -> None:
    page.get_by_role("tab", name="Surname").click()
    page.get_by_role("button", name="Train").first.click()  # hidden tabs do not count: this is the names tab's
    expect(page.get_by_text("Training:").first).to_be_visible(timeout=60_000)


def seconds_until_idle(page: Page) -> float:
    started = time.perf_counter()
    expect(page.locator(RUNNING)).to_have_count(0, timeout=30_000)
    return time.perf_counter() - started


def test_stop_and_leave_end_runs_and_free_memory(page: Page, server, screenshot_dir):
    open_app(page, server.url)
    memory = []
    for cycle in range(CYCLES):
        open_from_navigation(page, "RNN lab")
        start_names_training(page)
        if cycle % 2 == 0:
            page.get_by_role("button", name="Stop").first.click()
        else:
            page.locator('[data-testid="stSidebarNav"] a', has_text="Home").first.click()
        assert seconds_until_idle(page) < 10  # "a couple of seconds", with slack for a loaded CI box
        wait_idle(page)
        assert_no_exception(page)
        memory.append(rss_mb(server.pid))
    screenshot_whole_page(page, str(screenshot_dir / "after_stop_and_leave.png"))
    assert memory[-1] <= memory[0] * 1.10, f"resident memory grew: {memory}"
