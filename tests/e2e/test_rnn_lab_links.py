"""The RNN lab from a shared link in Chromium: Chinese, the surname tab open, the hand-built cell trained on
the linked settings, the languages named in Chinese; and the sine tab's baseline following the window."""
import re

from playwright.sync_api import Page, expect

from tests.e2e.streamlit_page import assert_no_exception, open_app, screenshot_whole_page, wait_idle


def test_a_chinese_link_opens_the_surname_tab_and_trains_its_settings(page: Page, server_url: str, screenshot_dir):
    open_app(page, server_url, "/rnn_lab?lang=zh&tab=names&ncell=hand&nhidden=32&epochs=1&batch=256&name=Tanaka")
    expect(page.get_by_role("heading", name="🔁 循环神经网络（RNN）实验室")).to_be_visible(timeout=120_000)
    panel = page.locator('[data-testid="stTabPanel"]:visible')
    expect(panel.get_by_role("combobox", name="模型")).to_have_value("手写 RNN 单元")  # the linked cell, translated
    assert_no_exception(page)
    panel.get_by_role("button", name=re.compile(r"^\W*训练$")).click()
    expect(page.get_by_text("每读一个字母后的预测").first).to_be_visible(timeout=180_000)
    wait_idle(page)
    assert_no_exception(page)
    expect(page.get_by_text(re.compile(r"验证准确率为 [0-9.]+%")).first).to_be_visible()
    expect(page.get_by_label("输入一个姓氏")).to_have_value("Tanaka")  # the linked name, classified
    expect(page.locator("p", has_text="·").filter(has_text=re.compile(r"语 \d+%")).first).to_be_visible()
    assert "ncell=hand" in page.url and "lang=zh" in page.url  # the link still holds the setup
    screenshot_whole_page(page, str(screenshot_dir / "rnn_lab_names_zh_from_link.png"))


def test_the_sine_tabs_baseline_follows_the_window(page: Page, server_url: str, screenshot_dir):
    open_app(page, server_url, "/rnn_lab?window=5&steps=30&hidden=8")
    expect(page.get_by_text("scores 0.600 on windows of 5 time steps").first).to_be_visible(timeout=120_000)
    page.get_by_role("button", name=re.compile(r"^\W*Train$")).first.click()
    expect(page.get_by_text(re.compile(r"After 30 windows the loss")).first).to_be_visible(timeout=120_000)
    wait_idle(page)
    assert_no_exception(page)
    expect(page.get_by_text("would score 0.600 on windows of 5 time steps").first).to_be_visible()
    screenshot_whole_page(page, str(screenshot_dir / "rnn_lab_wave_window5.png"))
