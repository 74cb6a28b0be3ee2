"""The conv page with a real upload in Chromium: a PNG gives an output image and shapes, a fake PNG an error."""
from pathlib import Path

import numpy as np
from PIL import Image
from playwright.sync_api import Page, expect

from tests.e2e.streamlit_page import (
    assert_no_exception, open_from_navigation, screenshot_whole_page, wait_idle,
)


def _open_upload(page: Page, server_url: str) -> None:
    """Open the conv page, go to the image tab and switch the image source to Upload."""
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(server_url)
    wait_idle(page)
    open_from_navigation(page, "Convolution & pooling")
    page.get_by_role("tab", name="2 · On an image").click()
    page.get_by_text("Upload", exact=True).first.click()
    wait_idle(page)


def _upload(page: Page, path: Path) -> None:
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(path))
    wait_idle(page)


def test_upload_png_shows_output_and_shapes(page: Page, server_url: str, tmp_path: Path, screenshot_dir):
    rng = np.random.default_rng(0)
    path = tmp_path / "stripes.png"
    pixels = np.zeros((60, 80, 3), dtype=np.uint8)
    pixels[:, ::8] = 255  # vertical stripes: Sobel x lights them up
    pixels[..., 2] = rng.integers(0, 256, (60, 80), dtype=np.uint8)
    Image.fromarray(pixels).save(path)
    _open_upload(page, server_url)
    _upload(page, path)
    expect(page.get_by_text("Output (1, 3, 58, 78)", exact=True)).to_be_visible(timeout=60_000)
    assert page.locator('[data-testid="stImage"] img').count() >= 2  # input and output pictures
    page.get_by_role("tab", name="3 · Pooling").click()  # the upload stays: tab 2 is always drawn
    expect(page.get_by_text("max pooled (1, 3, 30, 40)", exact=True)).to_be_visible(timeout=60_000)
    assert_no_exception(page)
    screenshot_whole_page(page, str(screenshot_dir / "conv_upload.png"))


def test_upload_text_renamed_png_shows_an_error(page: Page, server_url: str, tmp_path: Path):
    path = tmp_path / "notes.png"
    path.write_text("this is not an image, just text with a .png name\n")
    _open_upload(page, server_url)
    _upload(page, path)
    expect(page.get_by_text("notes.png").first).to_be_visible(timeout=60_000)
    expect(page.locator('[data-testid="stAlertContentError"]').first).to_be_visible()
    expect(page.get_by_text("Output (1, 3")).to_have_count(0)
    assert_no_exception(page)
