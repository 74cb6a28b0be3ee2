"""The few Streamlit helpers every page shares. Pages `import ui` and call `ui.<name>`; lib/ never imports this."""
from ui.frame import ensure_frame

ensure_frame()  # every page imports ui first: see ui/frame.py for why

from ui import links, presets, shared_models, widgets  # noqa: E402
from ui.code_panel import code_panel  # noqa: E402
from ui.device import current_device, device_selector  # noqa: E402
from ui.errors import show_error  # noqa: E402
from ui.image_input import Picked, image_input  # noqa: E402
from ui.jobs import LiveChart, Outcome, run_job, stop_button  # noqa: E402
from ui.progress import Progress, format_seconds  # noqa: E402
from ui.sessions import start_janitor  # noqa: E402

start_janitor()  # once per process: frees the memory of visitors who have left (ui/sessions.py)

__all__ = ["LiveChart", "Outcome", "Picked", "Progress", "code_panel", "current_device", "device_selector", "format_seconds",
           "image_input", "links", "presets", "run_job", "shared_models", "show_error", "stop_button", "widgets"]
