"""Hostile and awkward ImageFolder zips, all generated here: each is refused with a message naming the archive
and the entry, or read with what was skipped counted; nothing is ever written outside a fresh folder."""
import io
import stat
import struct
import zipfile
from pathlib import Path

import numpy as np
import pytest

from lib.transfer import archive
from tests.unit.transfer.conftest import png, shape_image

RNG = np.random.default_rng(0)
PICTURE = png(shape_image("bar", RNG))


def make_zip(entries: list[tuple[str, bytes]], compression=zipfile.ZIP_DEFLATED, tweak=None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as z:
        for name, content in entries:
            info = zipfile.ZipInfo(name)
            info.compress_type = compression
            if tweak:
                tweak(info)
            z.writestr(info, content)
    return buf.getvalue()


def good_entries(classes=("cat", "dog"), n=2, top="") -> list[tuple[str, bytes]]:
    return [(f"{top}{c}/{i}.png", PICTURE) for c in classes for i in range(n)]


def symlink(info: zipfile.ZipInfo) -> None:
    if info.filename.endswith("link.png"):
        info.create_system = 3  # Unix
        info.external_attr = (stat.S_IFLNK | 0o777) << 16


def encrypted(data: bytes) -> bytes:
    """Set the "encrypted" flag in every header (zipfile itself cannot write encrypted entries)."""
    out = bytearray(data)
    for sig, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (i := out.find(sig, start)) >= 0:
            out[i + offset] |= 0x1
            start = i + 4
    return bytes(out)


def lying_sizes(data: bytes, declared: int) -> bytes:
    """Patch every header's uncompressed size to `declared`: a bomb that claims to be small."""
    out = bytearray(data)
    for sig, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (i := out.find(sig, start)) >= 0:
            out[i + offset:i + offset + 4] = struct.pack("<I", declared)
            start = i + 4
    return bytes(out)


def test_a_good_folder_is_read_per_class_with_skipped_files_counted():
    entries = good_entries(("cat", "dog"), 3) + [("cat/readme.txt", b"hi"), ("notes.md", b"x"),
                                                 ("__MACOSX/cat/._0.png", b"junk"), ("dog/", b"")]
    folder = archive.read_image_folder(make_zip(entries), "pets.zip")
    assert folder.classes == ("cat", "dog")
    assert [len(f) for f in folder.files] == [3, 3]
    assert folder.files[0][0] == ("cat/0.png", PICTURE)
    assert folder.skipped == 3
    note = folder.note("pets.zip")
    assert "pets.zip" in note and "were skipped: 3 (e.g." in note and "cat/readme.txt" in note


def test_one_top_folder_above_the_classes_is_allowed():
    folder = archive.read_image_folder(make_zip(good_entries(top="dataset/")), "d.zip")
    assert folder.classes == ("cat", "dog") and folder.skipped == 0


@pytest.mark.parametrize("name, words", [
    ("../evil.png", "climbs out"),                 # path traversal
    ("cat/../../evil.png", "climbs out"),          # traversal hidden in the middle
    ("..\\..\\evil.png", "climbs out"),            # Windows separators
    ("/etc/evil.png", "absolute path"),            # absolute
    ("C:/Windows/evil.png", "absolute path"),      # a drive letter
    ("cat/inner.zip", "nested archives"),          # an archive inside, by its name
    ("cat/inner.tar.gz", "nested archives"),
])
def test_hostile_entry_names_are_refused_naming_archive_and_entry(name, words):
    data = make_zip(good_entries() + [(name, PICTURE)])
    with pytest.raises(ValueError, match=words) as err:
        archive.read_image_folder(data, "bad.zip")
    assert "bad.zip" in str(err.value) and repr(name[:80]) in str(err.value)


def test_a_nested_archive_renamed_to_a_picture_is_refused_by_its_bytes():
    inner = make_zip(good_entries())
    with pytest.raises(ValueError, match="nested archives") as err:
        archive.read_image_folder(make_zip(good_entries() + [("cat/photo.jpg", inner)]), "n.zip")
    assert "'cat/photo.jpg'" in str(err.value)


def test_links_are_refused():
    data = make_zip(good_entries() + [("cat/link.png", b"/etc/passwd")], tweak=symlink)
    with pytest.raises(ValueError, match="is a link"):
        archive.read_image_folder(data, "l.zip")


def test_encrypted_entries_are_refused():
    with pytest.raises(ValueError, match="encrypted"):
        archive.read_image_folder(encrypted(make_zip(good_entries())), "e.zip")


def test_too_many_entries_are_refused_before_extracting():
    with pytest.raises(ValueError, match="5 entries, more than the 4 allowed"):
        archive.read_image_folder(make_zip(good_entries(n=2) + [("x.txt", b"")]), "m.zip",
                                  archive.Limits(max_files=4))


def test_a_zip_bomb_by_its_header_is_refused_before_extracting():
    bomb = make_zip(good_entries() + [("cat/big.png", bytes(50 * 2**20))])  # 50 MB of zeros: a tiny zip
    assert len(bomb) < 200_000
    with pytest.raises(ValueError, match="unpack to 50 MB, more than the 10 MB allowed"):
        archive.read_image_folder(bomb, "bomb.zip", archive.Limits(max_bytes=10 * 2**20))


def test_a_zip_bomb_lying_about_its_size_stops_at_the_limit(tmp_path):
    """The header says 100 bytes; the data is 3 MB. Extraction counts real bytes and stops, whatever it says."""
    liar = lying_sizes(make_zip([("cat/0.png", PICTURE), ("cat/big.png", bytes(3 * 2**20))],
                                compression=zipfile.ZIP_STORED), 100)
    limits = archive.Limits(max_bytes=2 * 2**20, max_file_bytes=2 * 2**20)
    with pytest.raises(ValueError, match="bomb|damaged") as err:
        archive.extract(liar, "liar.zip", tmp_path / "out", limits)
    assert "liar.zip" in str(err.value)
    written = sum(f.stat().st_size for f in (tmp_path / "out").rglob("*") if f.is_file())
    assert written <= limits.max_bytes


def test_actual_bytes_are_counted_against_the_limit(tmp_path, monkeypatch):
    """Even a reader that returned more than declared could not write past the budget."""
    data = make_zip([("cat/0.png", PICTURE), ("cat/1.png", bytes(300_000)), ("dog/0.png", PICTURE)])
    monkeypatch.setattr(archive, "check_totals", lambda infos, name, limits: None)  # a header that lies
    with pytest.raises(ValueError, match="more than allowed"):
        archive.extract(data, "c.zip", tmp_path / "out", archive.Limits(max_bytes=200_000))


@pytest.mark.filterwarnings("ignore:Duplicate name")
def test_an_entry_appearing_twice_never_overwrites():
    with pytest.raises(ValueError, match="appears twice"):
        archive.read_image_folder(make_zip(good_entries() + [("cat/0.png", b"\x89PNG other")]), "d.zip")


@pytest.mark.parametrize("entries, words", [
    (good_entries(("cat",), 3), "1 class folders"),                     # one class
    (good_entries(("cat", "dog")) + [("bird/0.png", PICTURE)], "'bird' needs at least 2 pictures; it has 1"),
    (good_entries(tuple(f"c{i}" for i in range(11))), "11 class folders"),
    ([("cat/a.txt", b"x"), ("dog/b.txt", b"y")], "0 class folders"),    # nothing but text
])
def test_wrong_layouts_are_explained(entries, words):
    with pytest.raises(ValueError, match=words) as err:
        archive.read_image_folder(make_zip(entries), "layout.zip")
    assert "layout.zip" in str(err.value)


@pytest.mark.parametrize("data", [b"", b"not a zip at all", make_zip(good_entries())[:100]])
def test_what_is_not_a_zip_is_explained(data):
    with pytest.raises(ValueError, match="not a readable .zip"):
        archive.read_image_folder(data, "broken.zip")


def test_files_go_only_into_a_fresh_temporary_folder_that_is_removed(tmp_path, monkeypatch):
    made: list[Path] = []
    real = archive.tempfile.TemporaryDirectory

    class Spy(real):
        def __init__(self, *a, **kw):
            super().__init__(*a, dir=tmp_path, **kw)
            made.append(Path(self.name))
    monkeypatch.setattr(archive.tempfile, "TemporaryDirectory", Spy)
    archive.read_image_folder(make_zip(good_entries()), "ok.zip")
    assert len(made) == 1 and not made[0].exists()  # removed afterwards
    assert list(tmp_path.iterdir()) == []           # and nothing written beside it


def test_extract_refuses_a_folder_that_is_not_new(tmp_path):
    (tmp_path / "out" / "cat").mkdir(parents=True)
    (tmp_path / "out" / "cat" / "0.png").write_bytes(b"old")
    with pytest.raises(ValueError, match="appears twice"):  # never overwrites what was there
        archive.extract(make_zip(good_entries()), "x.zip", tmp_path / "out")
    assert (tmp_path / "out" / "cat" / "0.png").read_bytes() == b"old"
