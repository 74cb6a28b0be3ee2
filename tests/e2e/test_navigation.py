"""Every page opens from the navigation in a real browser, without an exception box."""
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.streamlit_page import (
    assert_no_exception, open_app, screenshot_whole_page, wait_idle,
)
from ui.catalog import PAGES


def test_home_page(page: Page, server_url: str, screenshot_dir):
    page.goto(server_url)
    expect(page.get_by_text("PyTorch, hands on").first).to_be_visible(timeout=60_000)
    wait_idle(page)
    expect(page.get_by_text("Compute device")).to_be_visible()
    assert_no_exception(page)
    screenshot_whole_page(page, str(screenshot_dir / "home.png"))


@pytest.mark.parametrize("entry", PAGES, ids=[p.path for p in PAGES])
def test_page_opens_from_navigation(page: Page, server_url: str, screenshot_dir, entry):
    open_app(page, server_url, nav=entry.title)
    assert_no_exception(page)
    expect(page.get_by_text("Compute device")).to_be_visible()
    name = entry.path.removeprefix("pages/").removesuffix(".py")
    screenshot_whole_page(page, str(screenshot_dir / f"{name}.png"))
