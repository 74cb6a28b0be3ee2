"""The few Streamlit helpers every page shares. Pages import from here; lib/ never does."""
from ui.code_panel import code_panel
from ui.device import current_device, device_selector
from ui.errors import show_error
from ui.image_input import image_input
from ui.progress import Progress

__all__ = ["Progress", "code_panel", "current_device", "device_selector", "image_input", "show_error"]
