"""The RNN lab's surname tab in Chromium: the padding/packing panel draws, training runs, a name is classified."""
from playwright.sync_api import Page, expect

from tests.e2e.streamlit_page import assert_no_exception, open_from_navigation, wait_idle


def test_names_tab_batches_trains_and_predicts(page: Page, server_url: str, screenshot_dir):
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(server_url)
    wait_idle(page)
    open_from_navigation(page, "RNN lab")
    page.get_by_role("tab", name="Surname").click()
    wait_idle(page)
    page.get_by_text("Batching names of different lengths").click()
    expect(page.get_by_text("batch_sizes = [4, 4, 3, 3, 3, 3, 1]").first).to_be_visible(timeout=30_000)
    assert_no_exception(page)
    page.get_by_text("Over an epoch of batches").scroll_into_view_if_needed()  # the app scrolls inside its own pane
    page.screenshot(path=str(screenshot_dir / "rnn_lab_padding.png"))

    panel = page.locator('[data-testid="stTabPanel"]:visible')
    panel.get_by_role("button", name="Train").click()  # the visible tab's Train button
    expect(page.get_by_text("Validation accuracy").first).to_be_visible(timeout=180_000)
    wait_idle(page)
    field = page.get_by_label("Type a surname")
    field.fill("Tanaka")
    field.press("Enter")
    wait_idle(page)
    expect(page.get_by_text("Prediction after each letter").first).to_be_visible(timeout=30_000)
    assert_no_exception(page)
    page.get_by_text("Prediction after each letter").first.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / "rnn_lab_names_trained.png"))
