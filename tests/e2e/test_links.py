"""A page's settings travel in its link: set up, copy the link, open it elsewhere, get the same result."""
import re

from playwright.sync_api import Browser, Page, expect

from tests.e2e.streamlit_page import assert_no_exception, open_app, choose, screenshot_whole_page, wait_idle

STATUS = re.compile(r"Step \d+ · train loss [0-9.]+ · test loss [0-9.]+")


def status(page: Page) -> str:
    return STATUS.search(page.get_by_text(STATUS).first.inner_text()).group(0)


def shared_link(page: Page) -> str:
    """What the "🔗 Link to this setup" panel offers to copy."""
    page.get_by_text("🔗 Link to this setup").click()
    return page.locator('[data-testid="stExpander"]', has_text="Link to this setup").locator("code").inner_text()


def test_playground_link_round_trip_and_back_button(browser: Browser, page: Page, server_url: str,
                                                    screenshot_dir):
    open_app(page, server_url, "/playground")
    choose(page, "Activation", "tanh")
    choose(page, "Data set", "Two moons")
    assert "act=tanh" in page.url and "data=moons" in page.url
    page.get_by_role("button", name="⏩ +100 steps").click()
    wait_idle(page)
    sender = status(page)
    link = shared_link(page)
    assert link.endswith("/playground?act=tanh&data=moons"), link

    visitor = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    visitor.goto(link)
    wait_idle(visitor)
    expect(visitor.get_by_label("Activation").first).to_have_value("tanh")
    expect(visitor.get_by_label("Data set").first).to_have_value("Two moons")
    visitor.get_by_role("button", name="⏩ +100 steps").click()
    wait_idle(visitor)
    assert status(visitor) == sender  # same settings and seeds: the same network after 100 steps
    screenshot_whole_page(visitor, str(screenshot_dir / "playground_from_link.png"))

    page.go_back()  # the browser's back button undoes the last setting, as links do
    wait_idle(page)
    expect(page.get_by_label("Data set").first).to_have_value("Two Gaussian clouds (the classic)")
    assert_no_exception(page)


def test_hostile_link_shows_messages_not_exceptions(page: Page, server_url: str, screenshot_dir):
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(f"{server_url}/playground?layers=99&lr=%3Cscript%3Ealert(1)%3C/script%3E&noise=nan&act=tanh"
              "&zzz=../../etc/passwd")
    wait_idle(page)
    assert_no_exception(page)
    for name in ("layers", "lr", "noise"):
        expect(page.get_by_text(re.compile(f"The link's value for {name}"))).to_be_visible()
    expect(page.get_by_label("Activation").first).to_have_value("tanh")  # the good value is kept
    screenshot_whole_page(page, str(screenshot_dir / "playground_hostile_link.png"))
