"""Helpers to drive a Streamlit page in Playwright."""
from __future__ import annotations

from playwright.sync_api import Page
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

RUNNING = '[data-testid="stStatusWidget"]'
EXCEPTION = '[data-testid="stException"]'
# Grey placeholders drawn while a widget's lazily loaded frontend code arrives.
SKELETON = '[data-testid="stSkeleton"]'


APP = '[data-testid="stApp"]'
MAIN = '[data-testid="stMain"]'  # the element that scrolls: the page below the header
IDLE = f'{APP}[data-test-script-state="notRunning"]'


def wait_idle(page: Page, timeout_ms: int = 120_000) -> None:
    """Wait until the script run triggered by the last action has finished.

    The app root carries the run state: first give a rerun up to 2 s to start (it may
    already be over), then wait for "notRunning" and for every widget to be drawn (no
    placeholder left), so what a test checks - and a screenshot shows - is the finished page.
    """
    try:
        page.wait_for_selector(f'{APP}:not([data-test-script-state="notRunning"])', timeout=2_000)
    except PlaywrightTimeout:
        pass
    page.wait_for_selector(IDLE, timeout=timeout_ms)
    expect(page.locator(RUNNING)).to_have_count(0, timeout=timeout_ms)
    wait_drawn(page, timeout_ms)


def wait_drawn(page: Page, timeout_ms: int = 30_000) -> None:
    """Wait until every widget on screen is drawn, not a grey placeholder."""
    expect(page.locator(SKELETON)).to_have_count(0, timeout=timeout_ms)


def open_app(page: Page, url: str, path: str = "", nav: str | None = None, width: int = 1400) -> None:
    """A `width`x1000 window on the app at `url` + `path` (a page and its link), idle; then, with `nav`,
    that page opened from the sidebar navigation the way a visitor clicks to it."""
    page.set_viewport_size({"width": width, "height": 1000})
    page.goto(url + path)
    # the app frame reports "not running" before the first script run has even started: wait for the
    # page's title, which every page draws first, so a slow server cannot pass for a finished one
    page.locator(f"{MAIN} h1").first.wait_for(timeout=120_000)
    wait_idle(page)
    if nav is not None:
        open_from_navigation(page, nav)


def open_from_navigation(page: Page, title: str) -> None:
    """Click a page's link in the sidebar navigation and wait for it to finish."""
    page.locator('[data-testid="stSidebarNav"] a', has_text=title).first.click()
    wait_idle(page)


def assert_no_exception(page: Page) -> None:
    boxes = page.locator(EXCEPTION)
    assert boxes.count() == 0, boxes.first.inner_text()


def screenshot_whole_page(page: Page, path: str, max_height: int = 8_000) -> None:
    """Screenshot the whole page, not just the window.

    Streamlit scrolls inside its main element, so Playwright's `full_page` sees only one
    window's height: grow the window to the main element's height for the shot, then restore it.
    """
    size = page.viewport_size
    height = page.locator(MAIN).evaluate("e => e.scrollHeight")
    page.set_viewport_size({"width": size["width"], "height": min(max(height, size["height"]), max_height)})
    try:
        wait_drawn(page)  # a taller window brings more widgets into view; no script reruns
        page.screenshot(path=path)
    finally:
        page.set_viewport_size(size)


def choose(page: Page, label: str, option: str) -> None:
    """Pick an option of a selectbox; a click landing during a rerun may not open the list, so try again."""
    wait_idle(page)
    for _ in range(3):
        page.locator('[data-testid="stSelectbox"]', has_text=label).first.click()
        choice = page.get_by_role("option", name=option, exact=True).first
        try:
            choice.wait_for(timeout=5_000)
        except PlaywrightTimeout:  # the list did not open: close whatever did and retry
            page.keyboard.press("Escape")
            wait_idle(page)
            continue
        choice.click()
        wait_idle(page)
        return
    raise AssertionError(f"could not choose {option!r} in {label!r}")
