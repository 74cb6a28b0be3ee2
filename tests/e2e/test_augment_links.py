"""The augmentation page in a real browser: a pipeline travels in its link and draws the very same grid."""
from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from lib.augment import json_io
from tests.e2e.streamlit_page import assert_no_exception, open_app, screenshot_whole_page, wait_idle
from ui import links

PIPELINE = json_io.from_json('[{"name": "RandomRotation", "params": {"degrees": [-40, 40]}}, '
                             '{"name": "RandomGrayscale", "params": {"p": 0.5}}]')


def grid_sources(page: Page) -> list[str]:
    """The media URLs of the grid's draws (Streamlit names a picture after a hash of its bytes)."""
    images = page.locator('[data-testid="stImage"]', has_text=re.compile(r"^draw \d+ \(seed \d+\)$"))
    return [images.nth(i).locator("img").get_attribute("src") for i in range(images.count())]


def shared_link(page: Page) -> str:
    page.get_by_text("🔗 Link to this setup").click()
    return page.locator('[data-testid="stExpander"]', has_text="Link to this setup").locator("code").inner_text()


def test_a_pipeline_link_reproduces_the_grid_in_a_fresh_browser(browser: Browser, page: Page, server_url: str,
                                                                 screenshot_dir):
    pipe = links.packed_codec().encode(json_io.to_link_data(PIPELINE))
    open_app(page, server_url, f"/augment?pipe={pipe}&n=3")
    assert_no_exception(page)
    expect(page.get_by_text("RandomGrayscale").first).to_be_visible()
    page.get_by_role("button", name="🎲 New draw").click()
    wait_idle(page)
    assert "seed=1" in page.url and f"pipe={pipe}" in page.url
    sender = grid_sources(page)
    assert len(sender) == 3
    link = shared_link(page)
    screenshot_whole_page(page, str(screenshot_dir / "augment_sender.png"))

    visitor = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    visitor.goto(link)
    wait_idle(visitor)
    assert_no_exception(visitor)
    expect(visitor.get_by_role("spinbutton", name="Seed")).to_have_value("1")
    assert grid_sources(visitor) == sender  # same pipeline, same seed: the same pixels
    screenshot_whole_page(visitor, str(screenshot_dir / "augment_from_link.png"))


def test_a_broken_pipeline_link_gives_a_message(page: Page, server_url: str, screenshot_dir):
    open_app(page, server_url, "/augment?pipe=%3Cscript%3Ealert(1)%3C/script%3E&seed=nan")
    assert_no_exception(page)
    expect(page.get_by_text(re.compile("The link's value for pipe")).first).to_be_visible()
    expect(page.get_by_text(re.compile("The link's value for seed")).first).to_be_visible()
    expect(page.get_by_text("RandomResizedCrop", exact=True).first).to_be_visible()  # the default pipeline instead
    screenshot_whole_page(page, str(screenshot_dir / "augment_broken_link.png"))
