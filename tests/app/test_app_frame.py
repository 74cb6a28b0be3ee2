"""The frame (app.py) and the home page."""
from streamlit.testing.v1 import AppTest

from tests.helpers import ROOT, assert_no_exception
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
