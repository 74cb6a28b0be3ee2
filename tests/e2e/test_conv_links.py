"""The conv page from a shared link in Chromium: the image tab open with the linked photo and settings, a slider
moved in the browser lands in the address, and that address opened in a fresh browser shows the same output;
in Chinese, the same link reads in Chinese."""
from playwright.sync_api import Browser, Page, expect

from tests.e2e.streamlit_page import assert_no_exception, open_app, screenshot_whole_page, wait_idle

LINK = "/conv?tab=image&img=Coffee&col=grey&k=box&s=2"  # Coffee is 512x341: a 3x3 box, stride 2 -> 170x255


def test_a_link_opens_the_image_tab_and_a_slider_change_travels(page: Page, server_url: str, browser: Browser,
                                                               screenshot_dir):
    open_app(page, server_url, LINK)
    expect(page.get_by_role("tab", name="2 · On an image", selected=True)).to_be_visible(timeout=120_000)
    expect(page.get_by_text("Output (1, 1, 170, 255)", exact=True)).to_be_visible(timeout=60_000)
    assert_no_exception(page)
    panel = page.locator('[data-testid="stTabPanel"]:visible')
    thumb = panel.locator('[data-testid="stSlider"]', has_text="Dilation").get_by_role("slider")
    thumb.focus()
    page.keyboard.press("ArrowRight")  # dilation 2: the 3x3 window spans 5 pixels
    expect(page.get_by_text("Output (1, 1, 169, 254)", exact=True)).to_be_visible(timeout=60_000)
    wait_idle(page)
    assert "dil=2" in page.url and "k=box" in page.url
    # the share panel sits outside the section's fragment, yet shows the link with the new dilation
    page.get_by_text("🔗 Link to this setup").click()
    expect(page.locator('[data-testid="stCode"]', has_text="dil=2")).to_be_visible(timeout=30_000)
    screenshot_whole_page(page, str(screenshot_dir / "conv_from_link.png"))
    fresh = browser.new_context().new_page()  # another visitor opens the address the first one sees
    open_app(fresh, page.url)
    expect(fresh.get_by_text("Output (1, 1, 169, 254)", exact=True)).to_be_visible(timeout=120_000)
    assert_no_exception(fresh)
    fresh.context.close()


def test_the_same_link_in_chinese(page: Page, server_url: str, screenshot_dir):
    open_app(page, server_url, LINK + "&lang=zh")
    expect(page.get_by_role("heading", name="🔲 卷积与池化")).to_be_visible(timeout=120_000)
    expect(page.get_by_role("tab", name="2 · 作用于图像", selected=True)).to_be_visible()
    expect(page.get_by_text("输出 (1, 1, 170, 255)", exact=True)).to_be_visible(timeout=60_000)
    assert_no_exception(page)
    screenshot_whole_page(page, str(screenshot_dir / "conv_from_link_zh.png"))
