"""Give back the memory of visitors who have left: a janitor thread, one per server process.

Streamlit keeps a disconnected session for `server.disconnectedSessionTTL` seconds (set in
.streamlit/config.toml) so that a learner whose Wi-Fi drops for a moment gets their page back. After that
the session should be gone, but Streamlit only drops an expired session when another session disconnects,
and then without shutting it down, so its uploads and media files stay registered. After a class leaves
nobody disconnects any more, and every learner's model, pictures and charts would stay in memory for good.

Every `PERIOD_S` seconds the janitor removes expired sessions and shuts them down the way Streamlit shuts
a closed session, then returns freed memory to the OS (lib.common.memory.release_free_memory); the
process keeps few malloc heaps (lib.common.memory.limit_malloc_arenas), so that freed memory can go back.
Streamlit has no public call for this; `tests/unit/ui/test_sessions.py` pins the internals used, so an
upgrade that moves them fails a test instead of silently keeping memory.
"""
from __future__ import annotations

import logging
import threading

import streamlit as st

from lib.common.cpus import cpu_count
from lib.common.memory import limit_malloc_arenas, release_free_memory

PERIOD_S = 10.0
_LOG = logging.getLogger(__name__)


def _session_store():
    """(Streamlit's store of disconnected sessions, its lock), or None outside a real server (AppTest mocks
    the runtime; bare `python` has none)."""
    from streamlit import runtime
    from streamlit.runtime.memory_session_storage import MemorySessionStorage

    if not runtime.exists():
        return None
    manager = getattr(runtime.get_instance(), "_session_mgr", None)  # no public handle on the session store
    storage = getattr(manager, "_session_storage", None)
    lock = getattr(manager, "_storage_lock", None)
    if not isinstance(storage, MemorySessionStorage) or lock is None or not hasattr(storage, "_cache"):
        return None
    return storage._cache, lock


def purge_expired_sessions() -> int:
    """Remove and shut down stored sessions whose reconnect time is over; how many were removed."""
    store = _session_store()
    return 0 if store is None else _purge(*store)


def _purge(cache, lock) -> int:
    with lock:
        removed = cache.expire()
    for _, info in removed:
        info.session.shutdown()  # what Streamlit does for a closed tab: frees its uploads and media files
    return len(removed)


def sweep() -> int:
    """One round of the janitor: purge expired sessions, then give free memory back (on a real server only)."""
    store = _session_store()
    if store is None:
        return 0
    removed = _purge(*store)
    release_free_memory()
    return removed


def _loop(stop: threading.Event, period_s: float) -> None:
    while not stop.wait(period_s):
        try:
            sweep()
        except Exception:  # noqa: BLE001 - the janitor must never take the server down
            _LOG.exception("session janitor round failed")


@st.cache_resource(show_spinner=False)
def start_janitor(period_s: float = PERIOD_S) -> threading.Event:
    """Start the process's janitor once (every page calls this); set the returned event to stop it.

    Also caps glibc's heaps at one per core, at least 2, before the sessions' threads make more (see
    `limit_malloc_arenas`): the janitor can only give back what the heaps let go of.
    """
    limit_malloc_arenas(max(2, cpu_count()))
    stop = threading.Event()
    threading.Thread(target=_loop, args=(stop, period_s), name="session-janitor", daemon=True).start()
    return stop
