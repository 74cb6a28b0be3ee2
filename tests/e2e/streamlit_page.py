"""Helpers to drive a Streamlit page in Playwright."""
from __future__ import annotations

from playwright.sync_api import Page, expect

RUNNING = '[data-testid="stStatusWidget"]'
EXCEPTION = '[data-testid="stException"]'


def wait_idle(page: Page, timeout_ms: int = 120_000) -> None:
    """Wait until the script run has finished (the 'Running...' widget is gone)."""
    page.wait_for_timeout(300)  # let a rerun triggered by the last action begin
    expect(page.locator(RUNNING)).to_have_count(0, timeout=timeout_ms)


def open_from_navigation(page: Page, title: str) -> None:
    """Click a page's link in the sidebar navigation and wait for it to finish."""
    page.locator('[data-testid="stSidebarNav"] a', has_text=title).first.click()
    wait_idle(page)


def assert_no_exception(page: Page) -> None:
    boxes = page.locator(EXCEPTION)
    assert boxes.count() == 0, boxes.first.inner_text()
