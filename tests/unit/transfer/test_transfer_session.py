"""The page's typed state between reruns: webcam shots, the decoded-pictures cache and the sweep's points."""
import io

import pytest
from PIL import Image

from lib.common.messages import LearnerError, Message
from lib.transfer import session
from lib.transfer.efficiency import SweepPoint, SweepStep


def jpeg(colour) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (24, 24), colour).save(buf, "JPEG")
    return buf.getvalue()


def test_a_photo_joins_its_class_once_and_is_named_by_its_position():
    shots = session.Shots()
    assert shots.add(1, "p1", b"a") and shots.add(1, "p2", b"b") and shots.add(0, "p3", b"c")
    assert not shots.add(0, "p1", b"a")  # a rerun shows the same photo again: not added to another class either
    assert [shots.count(i) for i in range(3)] == [1, 2, 0]
    assert shots.files(1) == [("webcam-1.jpg", b"a"), ("webcam-2.jpg", b"b")]
    assert shots.ids(1) == ["p1", "p2"] and shots.files(2) == []
    shots.clear()
    assert shots.count(1) == 0 and shots.add(1, "p1", b"a")


def test_pictures_are_decoded_again_only_when_the_files_change(monkeypatch):
    calls = []
    real = session.decode_pictures
    monkeypatch.setattr(session, "decode_pictures", lambda *a: calls.append(a) or real(*a))
    cache = session.DecodedCache()
    files = [[("a.jpg", jpeg((200, 0, 0))), ("b.jpg", jpeg((190, 0, 0)))],
             [("c.jpg", jpeg((0, 0, 200))), ("d.jpg", jpeg((0, 0, 190)))]]
    first = cache.get(("red", "blue"), files, ("k1",))
    assert cache.get(("red", "blue"), files, ("k1",)) is first and len(calls) == 1
    second = cache.get(("red", "blue"), files[::-1], ("k2",))
    assert len(calls) == 2 and second is not first and second.counts == (2, 2)


def test_a_failed_decode_keeps_the_previous_pictures_and_is_retried():
    cache = session.DecodedCache()
    good = [[("a.jpg", jpeg((200, 0, 0))), ("b.jpg", jpeg((190, 0, 0)))],
            [("c.jpg", jpeg((0, 0, 200))), ("d.jpg", jpeg((0, 0, 190)))]]
    kept = cache.get(("red", "blue"), good, ("good",))
    bad = [good[0], [("c.jpg", jpeg((0, 0, 200))), ("broken.jpg", b"no picture")]]
    for _ in range(2):  # not cached as if it had worked
        with pytest.raises(LearnerError, match="blue"):
            cache.get(("red", "blue"), bad, ("bad",))
    assert cache.key == ("good",) and cache.pictures is kept


def test_the_sweep_keeps_each_point_once_and_ignores_progress_steps():
    sweep = session.Sweep(("fashion", 0))
    point = SweepPoint(5, "head", 0.7, 0.68, 1.5)
    note = Message("x")
    for step in (SweepStep(1, 10, note), SweepStep(5, 10, note, point), SweepStep(5, 10, note, point)):
        sweep.keep(step)
    assert sweep.points == [point]
