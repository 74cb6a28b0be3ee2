"""The frame (app.py) and the home page."""
from streamlit.testing.v1 import AppTest

from tests.helpers import ROOT, assert_no_exception, english_left
from ui.catalog import PAGES


def _app() -> AppTest:
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()


def test_home_renders_with_versions_and_device():
    at = _app()
    assert_no_exception(at)
    assert at.title[0].value.startswith("🔥 PyTorch")
    table = at.dataframe[0].value
    assert "torch" in list(table["library / fact"])
    assert "CUDA available" in list(table["library / fact"])


def test_device_selector_defaults_to_best_device():
    at = _app()
    selector = at.sidebar.selectbox(key="device")
    assert selector.value == at.session_state["device"]
    assert selector.options[-1].startswith("CPU")  # CPU is always offered, last (labels shown)
    assert any("Running on" in c.value for c in at.sidebar.caption)


def test_device_selector_shared_through_session_state():
    """A page reads the device chosen in the sidebar via ui.current_device()."""
    at = AppTest.from_function(_page_reporting_device, default_timeout=120)
    at.session_state["device"] = "cpu"
    at.run()
    assert_no_exception(at)
    assert at.markdown[0].value == "device=cpu"


def _page_reporting_device():
    import streamlit as st

    from ui import current_device

    st.markdown(f"device={current_device()}")


def test_every_catalog_page_file_exists_and_is_unique():
    paths = [p.path for p in PAGES]
    assert len(paths) == len(set(paths))
    for entry in PAGES:
        assert (ROOT / entry.path).is_file(), entry.path


# ----------------------------------------------------------------------------- language

def test_chinese_session_shows_everything_in_chinese():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["lang"] = "zh"
    at.run()
    assert_no_exception(at)
    assert at.title[0].value == "🔥 动手学 PyTorch"
    assert "计算机视觉" in [s.value for s in at.subheader]
    assert any("正在" in c.value for c in at.sidebar.caption)  # the device caption too
    assert english_left(at) == []


def test_language_picker_switches_the_page():
    at = _app()
    assert at.sidebar.selectbox(key="lang").value == "en"  # AppTest has no browser locale: English
    at.sidebar.selectbox(key="lang").set_value("zh").run()  # (AppTest drops the sidebar after a rerun
    assert_no_exception(at)                                  # of a navigation app: the main part counts)
    assert at.title[0].value == "🔥 动手学 PyTorch"


def test_a_link_with_lang_opens_in_chinese_and_a_bad_one_is_named():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params["lang"] = "zh"
    at.run()
    assert at.title[0].value == "🔥 动手学 PyTorch"
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params["lang"] = "klingon"
    at.run()
    assert_no_exception(at)
    assert at.sidebar.selectbox(key="lang").value == "en"


def test_english_detector_flags_english_sentences():
    at = _app()
    assert english_left(at)  # the English home page is full of English prose
