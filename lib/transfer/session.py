"""What the page keeps between reruns besides the `Lab`: webcam shots per class, the decoded pictures of your own
classes (decoding hundreds of pictures on every rerun would be slow) and the last sample-efficiency sweep.
Typed state, so a rerun reads fields, never guesses the shape of a dict or tuple."""
from __future__ import annotations

from dataclasses import dataclass, field

from lib.transfer.data import OwnPictures, decode_pictures
from lib.transfer.efficiency import SweepPoint, SweepStep


@dataclass
class Shot:
    photo_id: str      # the camera widget's id of the photo: the same photo is never added twice
    data: bytes


@dataclass
class Shots:
    """Webcam photos per class index, in the order they were taken."""

    by_class: dict[int, list[Shot]] = field(default_factory=dict)

    def add(self, target: int, photo_id: str, data: bytes) -> bool:
        """Add a photo to class `target`; False when this photo was already added (a rerun shows it again)."""
        if any(s.photo_id == photo_id for shots in self.by_class.values() for s in shots):
            return False
        self.by_class.setdefault(target, []).append(Shot(photo_id, data))
        return True

    def count(self, target: int) -> int:
        return len(self.by_class.get(target, []))

    def files(self, target: int) -> list[tuple[str, bytes]]:
        """(file name, bytes) of a class's photos, named for messages about them."""
        return [(f"webcam-{k + 1}.jpg", s.data) for k, s in enumerate(self.by_class.get(target, []))]

    def ids(self, target: int) -> list[str]:
        return [s.photo_id for s in self.by_class.get(target, [])]

    def clear(self) -> None:
        self.by_class.clear()


@dataclass
class DecodedCache:
    """The decoded pictures of one set of files (identified by `key`), decoded again only when the files change."""

    key: tuple = ()
    pictures: OwnPictures | None = None

    def get(self, names: tuple[str, ...], files: list[list[tuple[str, bytes]]], key: tuple) -> OwnPictures:
        """The decoded pictures for `key`; raises LearnerError as `decode_pictures` does (keeping the old ones)."""
        if self.pictures is None or self.key != key:
            self.pictures, self.key = decode_pictures(names, files), key
        return self.pictures


@dataclass
class Sweep:
    """The points of the last sample-efficiency sweep and the settings (`key`) it was measured with."""

    key: tuple
    points: list[SweepPoint] = field(default_factory=list)

    def keep(self, step: SweepStep) -> None:
        """Keep a step's point: filled while the sweep runs, so a stopped sweep keeps what it measured."""
        if step.point is not None and step.point not in self.points:
            self.points.append(step.point)
