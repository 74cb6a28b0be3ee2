"""中文 / English in a real browser: the sidebar switch, the browser's own language, two visitors at once."""
from playwright.sync_api import Browser, Page, expect

from tests.e2e.streamlit_page import assert_no_exception, open_app, screenshot_whole_page, wait_idle


def pick_language(page: Page, name: str) -> None:
    """Choose `name` in the sidebar's language box."""
    page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first.click()
    page.get_by_role("option", name=name).click()
    wait_idle(page)


def test_switching_to_chinese_and_back(page: Page, server_url: str, screenshot_dir):
    open_app(page, server_url)
    expect(page.get_by_text("PyTorch, hands on").first).to_be_visible()
    pick_language(page, "简体中文")
    expect(page.get_by_role("heading", name="动手学 PyTorch")).to_be_visible()
    expect(page.get_by_text("计算设备")).to_be_visible()  # the sidebar speaks Chinese too
    assert "lang=zh" in page.url  # the language travels with a copied link
    assert_no_exception(page)
    screenshot_whole_page(page, str(screenshot_dir / "home_zh.png"))
    page.locator('[data-testid="stSidebarNav"] a', has_text="神经网络游乐场").first.click()
    wait_idle(page)
    expect(page.get_by_text("计算设备")).to_be_visible()  # another page keeps the session's language
    assert_no_exception(page)
    pick_language(page, "English")
    expect(page.get_by_text("Compute device")).to_be_visible()


def test_two_visitors_keep_their_own_language(browser: Browser, server_url: str, screenshot_dir):
    chinese = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 1000})
    english = browser.new_context(locale="en-US", viewport={"width": 1400, "height": 1000})
    try:
        zh, en = chinese.new_page(), english.new_page()
        zh.goto(server_url)
        en.goto(server_url)
        wait_idle(zh)
        wait_idle(en)
        expect(zh.get_by_role("heading", name="动手学 PyTorch")).to_be_visible()  # from the browser's language
        expect(en.get_by_text("PyTorch, hands on").first).to_be_visible()
        pick_language(en, "English")  # a rerun in one session...
        zh.reload()
        wait_idle(zh)
        expect(zh.get_by_role("heading", name="动手学 PyTorch")).to_be_visible()  # ...leaves the other alone
        screenshot_whole_page(zh, str(screenshot_dir / "home_zh_browser_locale.png"))
    finally:
        chinese.close()
        english.close()
