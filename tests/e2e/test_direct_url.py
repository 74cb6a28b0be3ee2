"""A shared page link opened on a freshly started server still gets app.py's frame.

Regression test: Streamlit ran pages/<name>.py directly (its older pages/-folder mode)
for the first visitor of a fresh server, without navigation sections or device selector.
"""
from playwright.sync_api import Page, expect

from bench.server import ROOT, free_port, start_server, wait_healthy
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.streamlit_page import assert_no_exception, wait_idle


def test_first_visit_by_page_url_is_framed(page: Page):
    port = free_port()
    proc = start_server(ROOT / "app.py", port, ARTIFACTS / "server-direct-url.log")
    try:
        wait_healthy(port)
        page.goto(f"http://127.0.0.1:{port}/rnn_lab")
        wait_idle(page)
        expect(page.get_by_text("RNN lab").first).to_be_visible()
        expect(page.get_by_text("Compute device")).to_be_visible()
        nav = page.locator('[data-testid="stSidebarNav"]')
        expect(nav.get_by_text("Sequences")).to_be_visible()  # our sections, not a file list
        expect(nav.get_by_text("app", exact=True)).to_have_count(0)
        assert_no_exception(page)
    finally:
        proc.terminate()
        proc.wait(timeout=20)
