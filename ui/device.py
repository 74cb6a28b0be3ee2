"""The sidebar device selector, shared by every page through session state."""
from __future__ import annotations

import streamlit as st

from ui.i18n import _, translate

KEY = "device"  # session-state key holding the chosen device string ("cuda:0", "mps", "cpu")


@st.cache_resource(show_spinner=False)
def _devices() -> dict[str, str]:
    """Device key -> label, probed once per process (read-only, so shared)."""
    from lib.common.device import available_devices, configure_cpu_threads
    from ui.gate import heavy_job_slots

    configure_cpu_threads(heavy_job_slots())  # each concurrent heavy job gets its share of the cores
    return {d.key: d.label for d in available_devices()}


def device_selector() -> None:
    """Draw the selector; its value persists across pages in `st.session_state`."""
    devices = _devices()
    if st.session_state.get(KEY) not in devices:
        st.session_state[KEY] = next(iter(devices))
    st.selectbox(
        _("Compute device"),
        options=list(devices),
        format_func=lambda key: translate(devices[key]),
        key=KEY,
        help=_("Every page runs its tensors and models here. CUDA is picked when present, then Apple MPS, "
               "else CPU."),
    )
    st.caption(_("Running on **{device}**").format(device=translate(devices[st.session_state[KEY]])))


def current_device():
    """The `torch.device` the user selected (the best one present by default)."""
    import torch

    devices = _devices()
    key = st.session_state.get(KEY)
    return torch.device(key if key in devices else next(iter(devices)))
