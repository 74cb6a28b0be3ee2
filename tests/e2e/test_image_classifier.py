"""The image-classifier page in Chromium: renders, trains a tiny model, shows its test results."""
import re

from playwright.sync_api import Page, expect

from lib.image_classifier.datasets import SOURCES
from tests.e2e.streamlit_page import (
    assert_no_exception, open_app, choose, screenshot_whole_page, wait_idle,
)


def test_image_classifier_trains_in_the_browser(page: Page, server_url: str, screenshot_dir):
    open_app(page, server_url, nav="Image classifier")
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


def test_image_classifier_in_chinese_from_a_link_trains_the_fast_cnn(page: Page, server_url: str, screenshot_dir):
    """A shared link in Chinese: the fast CNN recipe on the 8x8 digits, trained, with its TensorBoard run."""
    open_app(page, server_url, "/image_classifier?lang=zh&data=digits8&subset=300&preset=fast_cnn&epochs=2&log=1")
    expect(page.get_by_role("heading", name="🧪 图像分类实验室")).to_be_visible(timeout=120_000)
    expect(page.get_by_text("批归一化").first).to_be_visible()
    assert_no_exception(page)
    page.get_by_role("button", name=re.compile(r"^\W*训练$")).first.click()
    expect(page.get_by_test_id("stMetricLabel").first).to_contain_text("测试准确率", timeout=180_000)
    wait_idle(page)
    assert_no_exception(page)
    expect(page.get_by_text("本会话的 TensorBoard 记录").first).to_be_visible()
    assert "preset=fast_cnn" in page.url and "lang=zh" in page.url  # the link still holds the setup
    screenshot_whole_page(page, str(screenshot_dir / "image_classifier_zh.png"))
