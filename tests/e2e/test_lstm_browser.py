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


def test_lstm_default_shows_the_phrases_it_learned_and_splits_a_prediction(page: Page, server_url: str,
                                                                            screenshot_dir):
    open_app(page, server_url, "/lstm?rows=2000&epochs=2&tab=training")
    expect(page.get_by_role("heading", name="🎬 LSTM sentiment")).to_be_visible(timeout=120_000)
    wait_idle(page)
    page.get_by_role("button", name=re.compile("Start training")).first.click()
    expect(page.get_by_text("What the phrase shortcut learned")).to_be_visible(timeout=180_000)
    wait_idle(page)
    assert_no_exception(page)
    titles = page.locator(".stPlotlyChart .gtitle")
    expect(titles.filter(has_text=re.compile("^(fresh|rotten)$"))).to_have_count(2)  # phrases towards each class
    screenshot_whole_page(page, str(screenshot_dir / "lstm_phrases.png"))
    page.get_by_role("tab", name=re.compile("Predict")).click()
    expect(page.get_by_text(re.compile(r"= LSTM [+-]\d\.\d\d \+ phrase shortcut"))).to_be_visible(timeout=60_000)
    assert_no_exception(page)
    screenshot_whole_page(page, str(screenshot_dir / "lstm_predict_phrases.png"))
