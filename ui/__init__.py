"""The few Streamlit helpers every page shares. Pages import from here; lib/ never does."""
from ui.frame import ensure_frame

ensure_frame()  # every page imports ui first: see ui/frame.py for why

from ui.code_panel import code_panel  # noqa: E402
from ui.device import current_device, device_selector  # noqa: E402
from ui.errors import show_error  # noqa: E402
from ui.image_input import image_input  # noqa: E402
from ui.progress import Progress  # noqa: E402

__all__ = ["Progress", "code_panel", "current_device", "device_selector", "image_input", "show_error"]
