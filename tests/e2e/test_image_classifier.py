"""The image-classifier page in Chromium: renders, trains a tiny model, shows its test results."""
import re

from playwright.sync_api import Page, expect

from tests.e2e.streamlit_page import (
    assert_no_exception, open_from_navigation, screenshot_whole_page, wait_idle,
)


def _choose(page: Page, label: str, option: str) -> None:
    """Pick an option; a click landing during a rerun may not open the list, so try again."""
    wait_idle(page)
    for _ in range(3):
        page.locator('[data-testid="stSelectbox"]', has_text=label).first.click()
        choice = page.get_by_role("option", name=option).first
        try:
            choice.wait_for(timeout=5_000)
        except Exception:  # the list did not open: close whatever did and retry
            page.keyboard.press("Escape")
            wait_idle(page)
            continue
        choice.click()
        wait_idle(page)
        return
    raise AssertionError(f"could not choose {option!r} in {label!r}")


def test_image_classifier_trains_in_the_browser(page: Page, server_url: str, screenshot_dir):
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(server_url)
    wait_idle(page)
    open_from_navigation(page, "Image classifier")
    expect(page.get_by_text("235,146 parameters").first).to_be_visible(timeout=120_000)
    wait_idle(page)
    assert_no_exception(page)
    _choose(page, "Data set", "8x8 digits")
    expect(page.get_by_text("50,826 parameters").first).to_be_visible(timeout=60_000)  # 64-256-128-10
    _choose(page, "Training images", "300")
    page.get_by_role("button", name=re.compile(r"^\W*Train$")).first.click()
    expect(page.get_by_test_id("stMetricLabel").first).to_contain_text("Test accuracy", timeout=180_000)
    wait_idle(page)
    assert_no_exception(page)
    expect(page.get_by_text("Most confidently wrong").first).to_be_visible()
    screenshot_whole_page(page, str(screenshot_dir / "image_classifier_trained.png"))
