"""The autograd page in Chromium: every tab renders, the graph is drawn, bad input gives a message."""
from playwright.sync_api import Page, expect

from tests.e2e.streamlit_page import (
    assert_no_exception, open_from_navigation, screenshot_whole_page, wait_idle,
)

TABS = ["1 · Expression → graph", "2 · Chain rule", "3 · Behaviours", "4 · Backprop by hand", "5 · Linear regression"]


def test_autograd_tabs_graph_and_bad_input(page: Page, server_url: str, screenshot_dir):
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(server_url)
    wait_idle(page)
    open_from_navigation(page, "Autograd visualizer")
    expect(page.locator('[data-testid="stGraphVizChart"] svg').first).to_be_visible(timeout=60_000)
    for i, tab in enumerate(TABS, start=1):
        page.get_by_role("tab", name=tab).click()
        wait_idle(page)
        assert_no_exception(page)
        screenshot_whole_page(page, str(screenshot_dir / f"autograd_tab{i}.png"))
    page.get_by_role("tab", name="4 · Backprop by hand").click()
    page.get_by_role("button", name="Step 10", exact=True).click()
    wait_idle(page)
    expect(page.locator('[data-testid="stMetricValue"]').first).to_have_text("10")  # the steps metric
    screenshot_whole_page(page, str(screenshot_dir / "autograd_tab4_stepped.png"))
    page.get_by_role("tab", name=TABS[0]).click()
    box = page.get_by_role("textbox", name="Expression", exact=True)
    box.fill("x + zz")
    box.press("Enter")
    wait_idle(page)
    expect(page.get_by_text("Unknown name 'zz'")).to_be_visible()
    assert_no_exception(page)
