"""Four users train at once on one server; each gets exactly the result of training alone.

Streamlit runs sessions as threads of one process sharing torch and its global RNG, so
this catches any shared state (a global seed, a cached model) between users.
"""
import re

from playwright.sync_api import Browser, expect

from lib.rnn_lab import wave as S
from lib.rnn_lab.config import WaveConfig
from tests.e2e.streamlit_page import (
    assert_no_exception, open_from_navigation, screenshot_whole_page, wait_idle,
)

SEEDS = [11, 12, 13, 14]
LOSS = re.compile(r"After (\d+) windows the loss .* is ([0-9]+\.[0-9]+)")


def open_rnn_page(browser: Browser, url: str, seed: int):
    page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    page.goto(url)
    wait_idle(page)
    open_from_navigation(page, "RNN lab")
    seed_box = page.get_by_label("Seed").first
    seed_box.fill(str(seed))
    seed_box.press("Enter")
    wait_idle(page)
    return page


def solo_loss(seed: int) -> str:
    cfg = WaveConfig(seed=seed)
    run = S.new_run(cfg)
    return f"{[s.loss for s in S.train(run, cfg.steps)][-1]:.4f}"


def test_four_users_train_at_once(browser: Browser, server_url: str, screenshot_dir):
    pages = [open_rnn_page(browser, server_url, seed) for seed in SEEDS]
    for page in pages:  # start all four before waiting for any
        page.get_by_role("button", name="Train").first.click()
    fifth = browser.new_context().new_page()  # a fifth visitor meanwhile
    fifth.goto(server_url)
    expect(fifth.get_by_text("PyTorch, hands on").first).to_be_visible(timeout=60_000)
    results = {}
    for seed, page in zip(SEEDS, pages):
        caption = page.get_by_text("windows the loss")
        expect(caption).to_be_visible(timeout=300_000)
        wait_idle(page)
        assert_no_exception(page)
        steps, loss = LOSS.search(caption.inner_text()).groups()
        results[seed] = loss
        assert steps == str(WaveConfig().steps)
    screenshot_whole_page(pages[0], str(screenshot_dir / "concurrent_user_1.png"))
    for seed in SEEDS:
        assert results[seed] == solo_loss(seed), f"user with seed {seed} was disturbed"
    assert len(set(results.values())) == len(SEEDS)
