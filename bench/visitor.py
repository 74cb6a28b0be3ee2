"""A simulated visitor: a Streamlit session driven over its websocket, the way the browser drives it.

It opens a page (a rerun request with the page name and a query string), remembers the buttons it was
shown, presses one (a rerun with that button's trigger) and reads what the server sends back: the first
feedback (a queue position or a progress bar), the job's end (a progress bar at 100 %) and any exception
box. No browser is needed, so sixteen of them fit on a 2-core machine beside the server they load.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.sync.client import connect

RERUN_FOR_RERUN = 2  # ScriptFinishedStatus.FINISHED_EARLY_FOR_RERUN: another run follows


@dataclass
class Visit:
    """What one visitor saw after pressing its button (seconds from the press)."""

    pressed: float = 0.0
    first_feedback: float | None = None   # a queue position or a progress bar appeared
    queued: bool = False                  # it was told its place in the queue
    done: float | None = None             # the progress bar reached 100 %
    finished: float | None = None         # the script run ended after the job: the result is on the page
    exceptions: list[str] = field(default_factory=list)


class Visitor:
    """One websocket session on `page` of the server at `port`."""

    def __init__(self, port: int, page: str, query: str = "") -> None:
        self.page, self.query = page, query
        self.ws = connect(f"ws://127.0.0.1:{port}/_stcore/stream", subprotocols=["streamlit"],
                          max_size=2**27, open_timeout=60)
        self.buttons: dict[str, str] = {}  # widget key -> widget id
        self.visit = Visit()

    def open(self, timeout: float = 300) -> None:
        """Load the page with its link's settings and wait for the run to finish."""
        self._rerun()
        self._read_until_finished(timeout, pressed=None)

    def press(self, key: str, timeout: float = 1800) -> Visit:
        """Click the button with widget key `key` and follow the job to its end."""
        self.visit = Visit(pressed=time.perf_counter())
        self._rerun(WidgetState(id=self.buttons[key], trigger_value=True))
        self._read_until_finished(timeout, pressed=self.visit.pressed)
        return self.visit

    def close(self) -> None:
        self.ws.close()

    def _rerun(self, *widgets: WidgetState) -> None:
        msg = BackMsg()
        msg.rerun_script.query_string = self.query
        msg.rerun_script.page_name = self.page
        msg.rerun_script.widget_states.widgets.extend(widgets)
        self.ws.send(msg.SerializeToString())

    def _read_until_finished(self, timeout: float, pressed: float | None) -> None:
        deadline = time.monotonic() + timeout
        while True:
            msg = ForwardMsg()
            msg.ParseFromString(self.ws.recv(timeout=max(1.0, deadline - time.monotonic())))
            kind = msg.WhichOneof("type")
            if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                self._saw(msg.delta.new_element, pressed)
            elif kind == "script_finished" and msg.script_finished != RERUN_FOR_RERUN:
                if pressed is not None and self.visit.done is not None:
                    self.visit.finished = time.perf_counter() - pressed
                return

    def _saw(self, element, pressed: float | None) -> None:
        kind = element.WhichOneof("type")
        now = time.perf_counter()
        if kind == "button":
            self.buttons[element.button.id.rsplit("-", 1)[-1]] = element.button.id
        elif kind == "exception":
            self.visit.exceptions.append(element.exception.message)
        elif pressed is not None and kind in ("progress", "alert"):
            queued = kind == "alert" and "⏳" in element.alert.icon
            if kind == "progress" or queued:
                self.visit.queued |= queued
                if self.visit.first_feedback is None:
                    self.visit.first_feedback = now - pressed
            if kind == "progress" and element.progress.value == 100 and self.visit.done is None:
                self.visit.done = now - pressed
