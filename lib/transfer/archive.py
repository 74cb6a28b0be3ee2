"""A .zip in ImageFolder layout (`class_name/picture.jpg`), opened as if it were hostile, because it may be.

Refused, naming the archive and the entry: absolute paths and `..` (path traversal), links, nested archives,
encrypted entries, entries appearing twice, more than `max_files` entries, and more than `max_bytes` after
extraction. The sizes in the header are checked first (cheap) but never trusted: bytes are counted while they
are written, and writing stops at the limit (a zip bomb can lie about its sizes). Files go only into a fresh
temporary folder, removed afterwards; each path is checked to stay inside it. Files that are not pictures are
skipped and counted; classes with fewer than 2 pictures are refused.
"""
from __future__ import annotations

import io
import stat
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from lib.common.messages import LearnerError, Message

PICTURE_SUFFIXES = {".png", ".jpg", ".jpeg", ".webp", ".bmp", ".gif", ".tif", ".tiff"}
ARCHIVE_SUFFIXES = {".zip", ".jar", ".tar", ".gz", ".tgz", ".bz2", ".xz", ".7z", ".rar", ".zst"}
ARCHIVE_MAGIC = (b"PK\x03\x04", b"\x1f\x8b", b"BZh", b"\xfd7zXZ", b"7z\xbc\xaf", b"Rar!", b"\x28\xb5\x2f\xfd")
CHUNK = 64 * 1024


@dataclass(frozen=True)
class Limits:
    max_files: int = 1000             # entries in the archive, folders included
    max_bytes: int = 100 * 2**20      # all files together after extraction
    max_file_bytes: int = 20 * 2**20  # one picture
    max_classes: int = 10


@dataclass(frozen=True)
class ImageFolder:
    """The class folders of a zip and their pictures' bytes, in a stable (sorted) order."""

    classes: tuple[str, ...]
    files: tuple[tuple[tuple[str, bytes], ...], ...]   # per class: (entry name, bytes)
    skipped: int                                       # entries that are not pictures
    skipped_examples: tuple[str, ...]                  # a few of their names, for the message

    def note(self, archive: str) -> Message | None:
        """What was skipped, naming the archive and a few of the files."""
        if not self.skipped:
            return None
        return Message("{archive}: files that are not pictures were skipped: {n} (e.g. {examples}).",
                       archive=archive, n=self.skipped, examples=", ".join(self.skipped_examples))


def entry_parts(name: str, archive: str) -> tuple[str, ...]:
    """The path components of an entry, refusing absolute paths, drive letters and `..`."""
    if "\x00" in name:
        raise LearnerError("{archive}: the entry {entry} has a NUL byte in its name.", archive=archive,
                           entry=repr(name[:80]))
    path = name.replace("\\", "/")
    if path.startswith("/") or (len(path) > 1 and path[1] == ":"):
        raise LearnerError("{archive}: the entry {entry} has an absolute path; a safe archive only holds relative "
                           "paths such as cat/1.jpg.", archive=archive, entry=repr(name[:80]))
    parts = tuple(p for p in PurePosixPath(path).parts if p not in ("", "."))
    if ".." in parts:
        raise LearnerError("{archive}: the entry {entry} climbs out of the folder with '..' (path traversal).",
                           archive=archive, entry=repr(name[:80]))
    return parts


def check_entry(info: zipfile.ZipInfo, archive: str) -> None:
    """Refuse links, encrypted entries and nested archives (by name)."""
    entry = repr(info.filename[:80])
    if stat.S_ISLNK(info.external_attr >> 16):
        raise LearnerError("{archive}: the entry {entry} is a link; links are refused.", archive=archive, entry=entry)
    if info.flag_bits & 0x1:
        raise LearnerError("{archive}: the entry {entry} is encrypted.", archive=archive, entry=entry)
    if PurePosixPath(info.filename.lower()).suffix in ARCHIVE_SUFFIXES:
        raise LearnerError("{archive}: the entry {entry} is an archive inside the archive; nested archives are "
                           "refused.", archive=archive, entry=entry)


def check_totals(infos: list[zipfile.ZipInfo], archive: str, limits: Limits) -> None:
    """Refuse before extracting when the header already says too many files or bytes."""
    if len(infos) > limits.max_files:
        raise LearnerError("{archive} has {n} entries, more than the {most} allowed.", archive=archive, n=len(infos),
                           most=limits.max_files)
    declared = sum(i.file_size for i in infos)
    if declared > limits.max_bytes:
        raise LearnerError("{archive} would unpack to {mb:.0f} MB, more than the {most:.0f} MB allowed (a zip bomb?).",
                           archive=archive, mb=declared / 2**20, most=limits.max_bytes / 2**20)


def copy_limited(source, target: Path, entry: str, archive: str, limits: Limits, budget: int) -> int:
    """Write `source` to a new file `target`, counting bytes: stop at the per-file limit or the archive's
    remaining budget, whatever the header claimed. Returns the bytes written."""
    written, first = 0, True
    with target.open("xb") as out:  # "x": an entry that appears twice never overwrites the first
        while chunk := source.read(CHUNK):
            if first and chunk.startswith(ARCHIVE_MAGIC):  # a nested archive renamed to .jpg
                raise LearnerError("{archive}: the entry {entry} is an archive inside the archive; nested "
                                   "archives are refused.", archive=archive, entry=repr(entry[:80]))
            first = False
            written += len(chunk)
            if written > limits.max_file_bytes or written > budget:
                raise LearnerError("{archive}: the entry {entry} unpacks to more than allowed ({most:.0f} MB in "
                                   "all); extraction stopped (a zip bomb?).", archive=archive, entry=repr(entry[:80]),
                                   most=limits.max_bytes / 2**20)
            out.write(chunk)
    return written


def extract(data: bytes, archive: str, folder: Path,
            limits: Limits = Limits()) -> tuple[list[tuple[str, Path]], list[str]]:
    """Extract the pictures of an ImageFolder zip into `folder` (which must be new and empty).

    Returns (class folder, written file) pairs and the names of skipped entries (not pictures, or not inside a
    class folder). Raises LearnerError for anything hostile or too big.
    """
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):  # one sentence for every kind of damage
        raise LearnerError("{archive} is not a readable .zip file.", archive=archive) from None
    root, written, pictures, skipped = folder.resolve(), 0, [], []
    with zf:
        infos = zf.infolist()
        check_totals(infos, archive, limits)
        top = common_top(infos, archive)
        for info in infos:
            parts = entry_parts(info.filename, archive)[top:]
            check_entry(info, archive)
            if info.is_dir() or not parts:
                continue
            if len(parts) < 2 or PurePosixPath(parts[-1]).suffix.lower() not in PICTURE_SUFFIXES \
                    or any(p.startswith(".") or p == "__MACOSX" for p in parts):
                skipped.append(info.filename)
                continue
            target = root.joinpath(*parts)
            if not target.resolve().is_relative_to(root):  # belt and braces after entry_parts
                raise LearnerError("{archive}: the entry {entry} would be written outside the folder.",
                                   archive=archive, entry=repr(info.filename[:80]))
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                with zf.open(info) as source:
                    written += copy_limited(source, target, info.filename, archive, limits, limits.max_bytes - written)
            except FileExistsError:
                raise LearnerError("{archive}: the entry {entry} appears twice.", archive=archive,
                                   entry=repr(info.filename[:80])) from None
            except (zipfile.BadZipFile, EOFError, OSError, RuntimeError, NotImplementedError) as e:
                raise LearnerError("{archive}: the entry {entry} is damaged ({error}).", archive=archive,
                                   entry=repr(info.filename[:80]), error=type(e).__name__) from None
            pictures.append((parts[0], target))
    return pictures, skipped


def common_top(infos: list[zipfile.ZipInfo], archive: str) -> int:
    """1 when every entry sits in one top folder that holds the class folders (`dataset/cat/1.jpg`), else 0."""
    paths = [entry_parts(i.filename, archive) for i in infos if not i.is_dir()]
    paths = [p for p in paths if p and p[0] != "__MACOSX"]
    tops = {p[0] for p in paths}
    return int(len(tops) == 1 and all(len(p) >= 3 for p in paths))


def read_image_folder(data: bytes, archive: str, limits: Limits = Limits()) -> ImageFolder:
    """Extract into a fresh temporary folder, read the pictures back per class, remove the folder."""
    with tempfile.TemporaryDirectory(prefix="explainer-zip-") as tmp:
        pictures, skipped = extract(data, archive, Path(tmp) / "images", limits)
        by_class: dict[str, list[tuple[str, bytes]]] = {}
        for cls, path in sorted(pictures, key=lambda p: (p[0], str(p[1]))):
            by_class.setdefault(cls, []).append((f"{cls}/{path.name}", path.read_bytes()))
    check_classes(by_class, archive, limits)
    return ImageFolder(tuple(by_class), tuple(tuple(f) for f in by_class.values()), len(skipped),
                       tuple(s[:60] for s in skipped[:3]))


def check_classes(by_class: dict[str, list], archive: str, limits: Limits) -> None:
    """2 to max_classes class folders, each with at least 2 pictures."""
    if len(by_class) < 2:
        raise LearnerError("{archive} has {n} class folders with pictures; an ImageFolder needs at least 2 "
                           "(class_name/picture.jpg).", archive=archive, n=len(by_class))
    if len(by_class) > limits.max_classes:
        raise LearnerError("{archive} has {n} class folders; this page takes at most {most}.", archive=archive,
                           n=len(by_class), most=limits.max_classes)
    for cls, files in by_class.items():
        if len(files) < 2:
            raise LearnerError("{archive}: the class folder {group} needs at least 2 pictures; it has {n}.",
                               archive=archive, group=repr(cls), n=len(files))
