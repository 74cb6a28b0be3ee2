"""The image-classifier page in Chromium: renders, trains a tiny model, shows its test results."""
import re

from playwright.sync_api import Page, expect

from lib.image_classifier.datasets import SOURCES
from tests.e2e.streamlit_page import (
    assert_no_exception, choose, open_from_navigation, screenshot_whole_page, wait_idle,
)


def test_image_classifier_trains_in_the_browser(page: Page, server_url: str, screenshot_dir):
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(server_url)
    wait_idle(page)
    open_from_navigation(page, "Image classifier")
    expect(page.get_by_text("235,146 parameters").first).to_be_visible(timeout=120_000)
    wait_idle(page)
    assert_no_exception(page)
    choose(page, "Data set", SOURCES["digits8"].title)
    expect(page.get_by_text("50,826 parameters").first).to_be_visible(timeout=60_000)  # 64-256-128-10
    choose(page, "Training images", "300")
    page.get_by_role("button", name=re.compile(r"^\W*Train$")).first.click()
    expect(page.get_by_test_id("stMetricLabel").first).to_contain_text("Test accuracy", timeout=180_000)
    wait_idle(page)
    assert_no_exception(page)
    expect(page.get_by_text("Most confidently wrong").first).to_be_visible()
    screenshot_whole_page(page, str(screenshot_dir / "image_classifier_trained.png"))
