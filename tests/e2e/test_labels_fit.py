"""No label is cut off: every page and every tab, in English and in Chinese, in a 1280-px window (a common
laptop and projector width; the sidebar open).

Streamlit cuts a label that is too wide for its column with an ellipsis ("Log this run to Tensor…"): the
reader loses the end of it, often the word that matters. Translations make labels longer or shorter, so
both languages are checked.
"""
from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.e2e.streamlit_page import MAIN, open_app, wait_idle
from ui.catalog import PAGES

# Elements that end in an ellipsis and hold more text than they show (leaves and near-leaves only, so a
# cut label is reported once, not once per enclosing box).
CUT = """() => {
  const out = [];
  for (const e of document.querySelectorAll('[data-testid="stMain"] *')) {
    if (e.children.length > 2 || e.offsetParent === null) continue;
    if (getComputedStyle(e).textOverflow === 'ellipsis' && e.scrollWidth > e.clientWidth + 1) {
      const text = e.innerText.trim();
      if (text) out.push(`${text} (${e.clientWidth} of ${e.scrollWidth} px shown)`);
    }
  }
  return [...new Set(out)];
}"""
TABS = f'{MAIN} [role="tab"]'
WIDTH = 1280
NAMES = [Path(p.path).stem for p in PAGES]


def cut_labels(page: Page) -> set[str]:
    """The cut labels on the page as it is now, and in each of its tabs (lazy tabs draw when opened)."""
    found = set(page.evaluate(CUT))
    tabs = page.locator(TABS)
    for i in range(tabs.count()):
        tabs.nth(i).click()
        wait_idle(page)
        found |= set(page.evaluate(CUT))
    return found


def test_the_check_finds_a_cut_label(page: Page, server_url: str):
    """The detector itself: a label made too long for its column is reported."""
    open_app(page, server_url, "/style_transfer", width=WIDTH)
    assert not cut_labels(page)
    page.locator('[data-testid="stCheckbox"] [data-testid="stMarkdownContainer"] p').first.evaluate(
        "p => { p.innerText = 'a label far too long for its column ' .repeat(4); }")
    assert any("far too long" in label for label in cut_labels(page))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_no_label_is_cut_off(page: Page, server_url: str, lang: str):
    cut = {}
    for name in ["", *NAMES]:
        open_app(page, server_url, f"/{name}?lang={lang}", width=WIDTH)
        if found := cut_labels(page):
            cut[name or "home"] = sorted(found)
    assert not cut, cut
