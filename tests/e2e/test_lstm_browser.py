"""The LSTM page in Chromium: a shared link in Chinese with the tutorial preset trains and shows its kept weights."""
import re

from playwright.sync_api import Page, expect

from tests.e2e.streamlit_page import assert_no_exception, open_app, screenshot_whole_page, wait_idle


def test_lstm_tutorial_preset_from_a_chinese_link_trains_and_keeps_the_best(page: Page, server_url: str,
                                                                            screenshot_dir):
    open_app(page, server_url, "/lstm?lang=zh&rows=1000&preset=tutorial&epochs=2&tab=training")
    expect(page.get_by_role("heading", name="🎬 LSTM 情感分析")).to_be_visible(timeout=120_000)
    expect(page.get_by_text("电影评论教程的配方").first).to_be_visible(timeout=60_000)
    wait_idle(page)
    assert_no_exception(page)
    page.get_by_role("button", name=re.compile("开始训练")).first.click()
    expect(page.get_by_test_id("stMetricLabel").filter(has_text="测试准确率")).to_be_visible(timeout=180_000)
    wait_idle(page)
    assert_no_exception(page)
    expect(page.get_by_text("保留的权重：").first).to_be_visible()
    assert "preset=tutorial" in page.url and "lang=zh" in page.url  # the link still holds the setup
    screenshot_whole_page(page, str(screenshot_dir / "lstm_tutorial_zh.png"))
