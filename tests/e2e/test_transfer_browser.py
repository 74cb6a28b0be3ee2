"""The transfer-learning page in Chromium: one button shows transfer beating training from scratch on few
pictures; then your own classes from webcam shots (Chromium's fake camera), trained and used to classify a photo."""
import re

import pytest
from playwright.sync_api import Browser, BrowserType, Page, expect

from bench.server import CHROMIUM, CHROMIUM_ARGS
from tests.e2e.streamlit_page import assert_no_exception, choose, screenshot_whole_page, wait_idle

# a small job: the page's own defaults take a minute or more on two shared cores
SMALL = "n=5&test=200&ep_scratch=3&ep_head=20&ep_ft=1"
FAKE_CAMERA = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]


def train_all(page: Page, done_text: str = "test accuracy") -> None:
    page.get_by_role("button", name=re.compile("Train all three")).click()
    expect(page.get_by_test_id("stMetricLabel").nth(2)).to_contain_text(done_text, timeout=300_000)
    wait_idle(page)
    assert_no_exception(page)


def test_transfer_beats_scratch_with_one_button(page: Page, server_url: str, screenshot_dir):
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(f"{server_url}/transfer?{SMALL}")
    wait_idle(page)
    expect(page.get_by_role("heading", name="♻️ Transfer learning")).to_be_visible(timeout=120_000)
    assert_no_exception(page)
    train_all(page)
    expect(page.get_by_text(re.compile(r"points vs scratch")).first).to_be_visible()
    expect(page.get_by_text("backbone features").first).to_be_visible()  # the PCA maps appear after training
    screenshot_whole_page(page, str(screenshot_dir / "transfer_trained.png"))


@pytest.fixture
def camera_browser(browser_type: BrowserType):
    """A Chromium of its own whose camera is the fake device (a moving test pattern), permission granted."""
    browser = browser_type.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS + FAKE_CAMERA)
    yield browser
    browser.close()


def take_photo(page: Page, camera, shows: str, times: int) -> None:
    """Press Take Photo on `camera` (a stCameraInput) until the page `shows` the new count (`times` over, for all
    classes), clearing the photo before each shot. A click landing during a rerun can be lost with the widget redrawn, hence the retries."""
    for _ in range(3):
        clear = camera.get_by_role("button", name=re.compile("Clear photo"))
        if clear.count():
            clear.click()
            wait_idle(page)
        button = camera.get_by_role("button", name="Take Photo")
        expect(button).to_be_enabled(timeout=60_000)  # the fake stream has started
        button.click()
        try:
            expect(page.get_by_text(shows, exact=True)).to_have_count(times, timeout=20_000)
        except AssertionError:
            continue
        wait_idle(page)
        return
    raise AssertionError(f"the webcam photo never arrived ({shows!r})")


def test_own_classes_from_the_webcam_train_and_classify_a_photo(camera_browser: Browser, server_url: str,
                                                                 screenshot_dir):
    context = camera_browser.new_context(viewport={"width": 1400, "height": 1100}, permissions=["camera"])
    page = context.new_page()
    page.goto(f"{server_url}/transfer?data=own&classes=2&c1=left&c2=right&ep_scratch=2&ep_head=10&ep_ft=1&pic=camera")
    wait_idle(page)
    assert_no_exception(page)
    page.get_by_text("Add pictures with the webcam").click()
    camera = page.get_by_test_id("stCameraInput").first
    for target in ("left", "right"):
        choose(page, "Add the photos to", target)
        for k in (1, 2):
            take_photo(page, camera, f"{k} pictures ({k} from the webcam)", 2 if (target, k) == ("right", 2) else 1)
    expect(page.get_by_text("2 pictures (2 from the webcam)")).to_have_count(2)
    train_all(page, done_text="validation accuracy")  # 2 pictures per class: no test split
    predict_camera = page.get_by_test_id("stCameraInput").last
    predict_camera.get_by_role("button", name="Take Photo").click()
    wait_idle(page)
    expect(page.get_by_text(re.compile(r"^Prediction: (left|right)$")).first).to_be_visible(timeout=60_000)
    assert_no_exception(page)
    screenshot_whole_page(page, str(screenshot_dir / "transfer_webcam.png"))
    context.close()
