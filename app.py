"""Entry point: `streamlit run app.py`. Only the frame: config, language, navigation, device selector.

torch is deliberately not imported here: the home page paints its text first and
imports torch afterwards, so a visitor sees something within a couple of seconds.
"""
import streamlit as st

from ui.catalog import navigation
from ui.device import device_selector
from ui.frame import freeze_imported_heap
from ui.i18n import _
from ui.language import language_picker
from ui.links import count_full_run

count_full_run()  # before the page: see ui.links.fragment
language_picker()  # first: the navigation, titles and every page below speak the chosen language
st.set_page_config(page_title=_("PyTorch, hands on"), page_icon="🔥", layout="wide")

page = st.navigation(navigation())
device_slot = st.sidebar.container()  # reserved now so the selector sits under the navigation
page.run()
with device_slot:
    device_selector()  # drawn after the page so the page's first paint never waits for torch
freeze_imported_heap()  # last: the page's imports (torch...) are in, and the page is already drawn
