"""Read-only pretrained networks shared by every session: one copy per process and device."""
from __future__ import annotations

import streamlit as st

SHALLOW = "conv5_1"  # deep enough for every default (60 MB); deeper choices load all 16 convs (80 MB)


def vgg19(device: str, allow_download: bool = False, deepest: str = SHALLOW):
    """VGG19's feature layers, frozen, at least down to `deepest`.

    One network serves every page and layer choice: `extract` and the style-transfer forward
    stop at the deepest layer asked for, so a shallow look costs no extra compute.
    """
    from lib.common import vgg

    deep = vgg.layer_index(deepest) > vgg.layer_index(SHALLOW)
    return _load(device, allow_download, vgg.LAYER_NAMES[-1] if deep else SHALLOW)


@st.cache_resource(show_spinner="Loading VGG19 weights…", max_entries=4)
def _load(device: str, allow_download: bool, upto: str):
    from lib.common import vgg

    return vgg.load_vgg19_features(upto, device, allow_download=allow_download)
