"""The style-transfer page in Chromium: a shared link with the tutorial recipe paints a picture; in Chinese too."""
import re

from playwright.sync_api import Page, expect

from tests.e2e.streamlit_page import (
    assert_no_exception,
    open_app,
    screenshot_whole_page,
    wait_idle,
)

TINY = "size=64&steps=3&coarse=0&preview=1"


def test_style_transfer_from_a_link_paints_with_the_tutorial_recipe(page: Page, server_url: str, screenshot_dir):
    open_app(page, server_url, f"/style_transfer?preset=tutorial&{TINY}&painting=The+Scream+(Munch)")
    expect(page.get_by_text("Estimated time").first).to_be_visible(timeout=120_000)
    expect(page.get_by_text("The classic case study exactly").first).to_be_visible()
    wait_idle(page)
    assert_no_exception(page)
    page.get_by_role("button", name=re.compile(r"Start$")).first.click()
    expect(page.get_by_text("What the numbers mean").first).to_be_visible(timeout=180_000)
    wait_idle(page)
    assert_no_exception(page)
    expect(page.get_by_text("left unnormalised (the classic recipe)").first).to_be_visible()
    assert "preset=tutorial" in page.url and "painting=" in page.url  # the link still holds the setup
    screenshot_whole_page(page, str(screenshot_dir / "style_transfer_tutorial.png"))


def test_style_transfer_in_chinese(page: Page, server_url: str, screenshot_dir):
    open_app(page, server_url, f"/style_transfer?lang=zh&{TINY}")
    expect(page.get_by_role("heading", name="🎨 神经风格迁移")).to_be_visible(timeout=120_000)
    wait_idle(page)
    page.get_by_role("button", name=re.compile(r"开始$")).first.click()
    expect(page.get_by_text("这些数字的含义").first).to_be_visible(timeout=180_000)
    wait_idle(page)
    assert_no_exception(page)
    screenshot_whole_page(page, str(screenshot_dir / "style_transfer_zh.png"))
