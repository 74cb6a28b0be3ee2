"""The autograd page in Chromium: every tab renders, the graph is drawn, bad input gives a message."""
from playwright.sync_api import Browser, Page, expect

from tests.e2e.streamlit_page import (
    assert_no_exception, choose, open_from_navigation, screenshot_whole_page, wait_idle,
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
    wait_idle(page)  # the tab click reruns the page: typing before that run ends can be lost with its widgets
    box = page.get_by_role("textbox", name="Expression", exact=True)
    box.fill("x + zz")
    box.press("Enter")
    wait_idle(page)
    expect(page.get_by_text("Unknown name 'zz'")).to_be_visible()
    assert_no_exception(page)


def test_autograd_link_round_trip_in_chinese(browser: Browser, page: Page, server_url: str, screenshot_dir):
    """Preset, a leaf and the open tab travel in the link; a visitor in Chinese gets the same gradient."""
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(f"{server_url}/autograd")
    wait_idle(page)
    choose(page, "Preset", "neuron: sigmoid(w @ x + b)")
    box = page.get_by_role("textbox", name="leaf w", exact=True)
    box.fill("1, -1")
    box.press("Enter")
    wait_idle(page)
    expect(page.get_by_text("w.grad = [0.2055, 0.411]")).to_be_visible()  # σ'(-0.9) · x, x = [1, 2]
    page.get_by_role("tab", name=TABS[1]).click()
    wait_idle(page)
    assert "preset=neuron" in page.url and "w=1%2C+-1" in page.url and "tab=chain" in page.url, page.url

    visitor = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN").new_page()
    visitor.goto(page.url)
    wait_idle(visitor)
    assert_no_exception(visitor)
    expect(visitor.get_by_role("tab", name="2 · 链式法则")).to_have_attribute("aria-selected", "true")
    visitor.get_by_role("tab", name="1 · 表达式 → 计算图").click()
    wait_idle(visitor)
    expect(visitor.get_by_role("textbox", name="叶子张量 w", exact=True)).to_have_value("1, -1")
    expect(visitor.get_by_text("w.grad = [0.2055, 0.411]")).to_be_visible()  # the same computation
    screenshot_whole_page(visitor, str(screenshot_dir / "autograd_from_link_zh.png"))
