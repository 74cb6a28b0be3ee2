"""TensorBoard on a page: "log this run", the session's runs read back from their event files, a zip.

Pages call `log_toggle(key)` next to their Train button, `new_run(name)` when training starts (None when
logging is off or the folder is full) and `runs_panel()` below the results.
"""
from __future__ import annotations

import pandas as pd
import plotly.express as px
import streamlit as st

from lib.common.runlog import LogFolder, RunLog, read_scalars, tensorboard_command
from ui import links, widgets
from ui.i18n import _

FOLDER = "_runlog.folder"  # session-state key: this visitor's own LogFolder (deleted with the session)


def folder() -> LogFolder:
    """This session's log folder, created on first use."""
    if FOLDER not in st.session_state:
        st.session_state[FOLDER] = LogFolder()
    return st.session_state[FOLDER]


# A row of three buttons and the switch: the switch's label is the widest, so its column gets more room
# (with four equal columns it was cut off at 1280 px).
BUTTONS_AND_SWITCH = (1, 1, 1, 1.3)


def log_toggle(key: str, where=st, param: str = "log") -> bool:
    """The "log this run to TensorBoard" switch, in the page's link as `param` (`""`: not linked)."""
    def draw() -> bool:
        return where.toggle(_("📈 Log to TensorBoard"), key=key,
                            help=_("Writes real TensorBoard event files (scalars, misclassified images, "
                                   "hyperparameters) to a temporary folder of your session; see them below, "
                                   "download them, or open them with TensorBoard."))
    return widgets.bound(draw, key, param, False, links.flag_codec(), lambda v: isinstance(v, bool), where)


def new_run(name: str, enabled: bool) -> RunLog | None:
    """A RunLog for a new run, or None (logging off, or the session's folder is full: said on the page)."""
    if not enabled:
        return None
    logs = folder()
    if logs.full():
        st.warning(_("Your session's log folder is full ({mb} MB): this run is not logged. Download the "
                     "logs below and start a new session to log more.").format(mb=logs.max_bytes // 2**20))
        return None
    return logs.new_run(name)


def runs_panel(key: str) -> None:
    """The session's runs: their logged scalars, a zip of the folder and the tensorboard command."""
    if FOLDER not in st.session_state or not folder().runs():
        return
    logs = folder()
    with st.expander(_("📈 TensorBoard runs of this session ({n})").format(n=len(logs.runs())), expanded=True):
        chosen = st.multiselect(_("Runs"), logs.runs(), default=logs.runs()[-3:], key=f"{key}.runs")
        curves = [c for run in chosen for c in read_scalars(logs.path, run)]
        if curves:
            frame = pd.DataFrame([{"run": c.run, "tag": c.tag, "step": s, "value": v}
                                  for c in curves for s, v in zip(c.steps, c.values)])
            fig = px.line(frame, x="step", y="value", color="run", facet_col="tag", facet_col_wrap=3,
                          labels={"step": _("step"), "value": _("value"), "run": _("run")},
                          title=_("Scalars read back from the event files"))
            fig.update_yaxes(matches=None, showticklabels=True)
            st.plotly_chart(fig, key=f"{key}.scalars")
        st.download_button(_("⬇️ Download the runs (zip)"), logs.zip_bytes(), "tensorboard_runs.zip",
                           mime="application/zip", key=f"{key}.zip")
        st.caption(_("Unzip, then run this and open the address it prints (TensorBoard is installed with the "
                     "app's requirements):"))
        st.code(tensorboard_command("runs"), language="bash")
