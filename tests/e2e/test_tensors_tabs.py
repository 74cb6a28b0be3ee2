"""The tensor playground in Chromium: every tab opens, draws, the timing button works, and a link carries
the open tab and its settings to a fresh browser, in Chinese too."""
from playwright.sync_api import Browser, Page, expect

from tests.e2e.streamlit_page import assert_no_exception, choose, open_app, screenshot_whole_page, wait_idle

TABS = ["1 · Create", "2 · Ranks", "3 · Index", "4 · Views", "5 · Operations", "6 · NumPy", "7 · CPU vs GPU"]


def test_every_tab_draws(page: Page, server_url: str, screenshot_dir):
    open_app(page, server_url, nav="Tensor playground")
    for i, name in enumerate(TABS):
        if i:  # the first tab is open already
            page.get_by_role("tab", name=name).click()
        wait_idle(page)
        page.wait_for_timeout(500)  # let Plotly paint
        assert_no_exception(page)
        if name != TABS[6]:
            expect(page.locator('[data-testid="stPlotlyChart"], [data-testid="stImage"]').first).to_be_visible()
        screenshot_whole_page(page, str(screenshot_dir / f"tensors-tab{i + 1}.png"))
    page.get_by_role("button", name="Time it").click()
    wait_idle(page)
    expect(page.locator('[data-testid="stPlotlyChart"]').first).to_be_visible(timeout=60_000)
    assert_no_exception(page)
    screenshot_whole_page(page, str(screenshot_dir / "tensors-tab7-timed.png"))


def test_editing_the_numpy_array_changes_the_tensor(page: Page, server_url: str, screenshot_dir):
    open_app(page, server_url, nav="Tensor playground")
    page.get_by_role("tab", name=TABS[5]).click()
    wait_idle(page)
    edited = page.get_by_text("array[0, 1] = 100.0")  # in the code panel, which is still closed
    for _ in range(3):  # a busy machine can swallow the double click that opens the cell editor
        _type_into_cell(page, row=0, column=1, text="100")
        try:
            expect(edited).to_be_attached(timeout=10_000)
            break
        except AssertionError:  # also raised when the cell editor never opened
            page.keyboard.press("Escape")  # close a cell editor left open
    page.get_by_text("Code for these settings").last.click()
    expect(edited).to_be_visible(timeout=10_000)
    assert_no_exception(page)
    screenshot_whole_page(page, str(screenshot_dir / "tensors-numpy-edited.png"))


def _type_into_cell(page: Page, row: int, column: int, text: str) -> None:
    """Double-click a cell of the (canvas-drawn) data editor, type, and commit with Enter."""
    grid = page.locator('[data-testid="stDataFrame"]:visible').first
    expect(grid).to_be_visible(timeout=30_000)
    grid.scroll_into_view_if_needed()  # mouse coordinates must be inside the viewport
    box = grid.bounding_box()
    # columns: index (~50 px), then 4 equal value columns; rows are ~35 px under a ~35 px header
    x = box["x"] + 50 + (box["width"] - 50) * (column + 0.5) / 4
    y = box["y"] + 35 + 35 * row + 17
    page.mouse.dblclick(x, y)
    cell_editor = page.locator("input.gdg-input, textarea.gdg-input").first
    expect(cell_editor).to_be_visible(timeout=5_000)
    cell_editor.fill(text)  # fill() focuses the editor itself; key presses could land on the grid
    cell_editor.press("Enter")
    wait_idle(page)


def test_a_link_carries_the_tab_and_settings_to_a_fresh_browser(browser: Browser, page: Page, server_url: str,
                                                                 screenshot_dir):
    open_app(page, server_url, "/tensors")
    page.get_by_role("tab", name=TABS[4]).click()
    wait_idle(page)
    page.get_by_text("Type promotion", exact=True).click()  # a segmented control's option
    wait_idle(page)
    choose(page, "dtype of a", "int64")
    assert "tab=ops" in page.url and "topic=promotion" in page.url and "pa=int64" in page.url
    page.get_by_text("🔗 Link to this setup").click()
    link = page.locator('[data-testid="stExpander"]', has_text="Link to this setup").locator("code").inner_text()
    assert link.endswith("/tensors?tab=ops&topic=promotion&pa=int64"), link

    visitor = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN").new_page()
    visitor.goto(link)
    wait_idle(visitor)
    assert_no_exception(visitor)
    expect(visitor.get_by_role("tab", name="5 · 运算")).to_have_attribute("aria-selected", "true")
    expect(visitor.get_by_label("a 的 dtype").first).to_have_value("int64")
    expect(visitor.get_by_text("得到 int16").first).to_be_visible()  # the rule's computed example, in Chinese
    screenshot_whole_page(visitor, str(screenshot_dir / "tensors-promotion-zh-from-link.png"))
