"""The reference app for bench/conv_page.py: the least a Streamlit app does for "move a slider, see a new image".

One slider like the conv page's dilation slider and one RGB image of the same size as the page's output,
changed by the slider (rolled sideways, no real work), so the browser gets a new picture each time.
"""
import numpy as np
import streamlit as st

from lib.common.samples import load_sample

SAMPLE = "Astronaut"  # the page is measured on the same 512x512 photo


@st.cache_data
def pixels() -> np.ndarray:
    return np.asarray(load_sample(SAMPLE).convert("RGB"))


dilation = st.slider("Dilation", 1, 4, 1, key="bench.dilation")
st.image(np.roll(pixels(), dilation, axis=1), caption="Output", width="stretch")
