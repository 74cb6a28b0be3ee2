"""The session janitor (ui/sessions.py): expired disconnected sessions are removed and shut down.

It reaches into Streamlit's session manager, which has no public call for this: these tests build the real
Streamlit classes, so an upgrade that renames what the janitor uses fails here.
"""
from __future__ import annotations

import threading
import time
from types import SimpleNamespace

import pytest
from streamlit.runtime.memory_session_storage import MemorySessionStorage
from streamlit.runtime.session_manager import SessionInfo
from streamlit.runtime.websocket_session_manager import WebsocketSessionManager

from lib.common.memory import release_free_memory
from ui import sessions


class FakeSession:
    """Stands in for an AppSession: only the two things storage and the janitor touch."""

    def __init__(self, id: str) -> None:
        self.id, self.shut_down = id, False

    def shutdown(self) -> None:
        self.shut_down = True


@pytest.fixture
def manager(monkeypatch):
    storage = MemorySessionStorage(ttl_seconds=60)
    mgr = WebsocketSessionManager(storage, uploaded_file_manager=None, script_cache=None,
                                  message_enqueued_callback=None)
    from streamlit import runtime

    monkeypatch.setattr(runtime, "exists", lambda: True)
    monkeypatch.setattr(runtime, "get_instance", lambda: SimpleNamespace(_session_mgr=mgr))
    return mgr, storage


def test_expired_sessions_are_removed_and_shut_down(manager, monkeypatch) -> None:
    mgr, storage = manager
    old, recent = FakeSession("old"), FakeSession("recent")
    now = time.monotonic()
    storage._cache._timer = lambda: now - 50  # disconnected 50 s before `now`...
    storage.save(SessionInfo(client=None, session=old))
    storage._cache._timer = lambda: now
    storage.save(SessionInfo(client=None, session=recent))
    storage._cache._timer = lambda: now + 15  # ...so 15 s later its 60 s reconnect time is over
    assert sessions.purge_expired_sessions() == 1
    assert old.shut_down and not recent.shut_down
    assert storage.get("recent") is not None and storage.get("old") is None


def test_nothing_expired_nothing_removed(manager) -> None:
    _, storage = manager
    s = FakeSession("a")
    storage.save(SessionInfo(client=None, session=s))
    assert sessions.purge_expired_sessions() == 0 and not s.shut_down


def test_without_a_streamlit_server_the_janitor_does_nothing(monkeypatch) -> None:
    from unittest.mock import MagicMock

    from streamlit import runtime

    monkeypatch.setattr(runtime, "exists", lambda: False)
    assert sessions.sweep() == 0
    monkeypatch.setattr(runtime, "exists", lambda: True)  # AppTest's runtime is a MagicMock
    monkeypatch.setattr(runtime, "get_instance", lambda: MagicMock())
    monkeypatch.setattr(sessions, "release_free_memory", lambda: pytest.fail("no trimming outside a server"))
    assert sessions.sweep() == 0


def test_the_internals_used_still_exist() -> None:
    mgr = WebsocketSessionManager(MemorySessionStorage(), None, None, None)
    assert isinstance(mgr._storage_lock, type(threading.Lock()))
    assert callable(mgr._session_storage._cache.expire)


def test_release_free_memory_trims_on_glibc() -> None:
    import platform

    released = release_free_memory()
    assert isinstance(released, bool)
    if platform.libc_ver()[0] == "glibc":
        big = bytearray(200 * 2**20)  # freed below: glibc can give it back
        del big
        release_free_memory()  # must not raise; the effect is measured by bench/load


def test_the_janitor_thread_runs_sweeps(monkeypatch) -> None:
    calls = threading.Event()
    monkeypatch.setattr(sessions, "sweep", lambda: calls.set() or 0)
    stop = threading.Event()
    threading.Thread(target=sessions._loop, args=(stop, 0.01), daemon=True).start()
    assert calls.wait(2)
    stop.set()


ARENAS_SCRIPT = """
import ctypes, sys, threading
from lib.common.memory import limit_malloc_arenas
if sys.argv[1] == "limit":
    assert limit_malloc_arenas(2)
libc = ctypes.CDLL("libc.so.6")
libc.malloc.restype = ctypes.c_void_p
libc.free.argtypes = [ctypes.c_void_p]
go = threading.Barrier(8)
def session():  # like a Streamlit session's thread: allocates while the others do
    go.wait()
    for _ in range(2000):
        libc.free(libc.malloc(4096))
threads = [threading.Thread(target=session) for _ in range(8)]
for t in threads: t.start()
for t in threads: t.join()
libc.malloc_stats()  # one "Arena N:" block per heap, on stderr
"""


def _heaps(mode: str) -> int:
    import subprocess
    import sys
    from pathlib import Path

    done = subprocess.run([sys.executable, "-c", ARENAS_SCRIPT, mode], capture_output=True, text=True, timeout=60,
                          cwd=Path(__file__).resolve().parents[3])
    assert done.returncode == 0, done.stderr
    return sum(line.startswith("Arena ") for line in done.stderr.splitlines())


def test_limit_malloc_arenas_caps_the_heaps_of_many_threads() -> None:
    import platform

    if platform.libc_ver()[0] != "glibc":
        pytest.skip("glibc's heaps only")
    assert _heaps("default") > 2  # eight allocating threads get heaps of their own...
    assert 1 <= _heaps("limit") <= 2  # ...unless the process caps them, as ui/sessions.start_janitor does
