"""Few-shot draws, the fixed test subset, your own pictures and how a new picture is prepared."""
import numpy as np
import pytest
import torch
from PIL import Image

from lib.transfer import data
from tests.unit.transfer.conftest import png, shape_image, shapes_set


def test_a_draw_has_per_class_training_and_validation_pictures_and_no_overlap(shapes):
    fs = data.few_shot(shapes, "fashion", 5, 30, seed=3)
    assert torch.bincount(fs.train_y).tolist() == [5, 5, 5]
    assert torch.bincount(fs.val_y).tolist() == [2, 2, 2]  # a quarter, at least 2
    assert not set(fs.train_ids.tolist()) & set(fs.val_ids.tolist())
    assert torch.equal(fs.train_x, shapes.train_x[fs.train_ids])  # ids index the training pool
    assert torch.equal(fs.test_x, shapes.test_x[fs.test_ids - len(shapes.train_y)])  # test ids come after it


def test_draws_are_nested_and_seeded(shapes):
    small, large = data.few_shot(shapes, "fashion", 5, 30, 1), data.few_shot(shapes, "fashion", 12, 30, 1)
    for c in range(3):
        assert small.train_ids[small.train_y == c].tolist() == large.train_ids[large.train_y == c][:5].tolist()
    assert torch.equal(small.train_ids, data.few_shot(shapes, "fashion", 5, 30, 1).train_ids)  # same seed
    assert not torch.equal(small.train_ids, data.few_shot(shapes, "fashion", 5, 30, 2).train_ids)  # another


def test_the_test_subset_is_fixed_and_balanced(shapes):
    a, b = data.few_shot(shapes, "fashion", 5, 12, 0), data.few_shot(shapes, "fashion", 8, 12, 7)
    assert torch.equal(a.test_ids, b.test_ids)  # whatever the draw and the seed
    assert torch.bincount(a.test_y).tolist() == [4, 4, 4]


def test_drawing_more_than_a_class_holds_is_explained(shapes):
    with pytest.raises(ValueError, match="has only 30 images"):
        data.few_shot(shapes, "fashion", 29, 30, 0)


def _files(n, kind="bar", seed=0):
    rng = np.random.default_rng(seed)
    return [(f"{kind}{i}.png", png(shape_image(kind, rng, 40))) for i in range(n)]


def test_own_pictures_are_decoded_split_and_bad_files_named():
    files = [_files(6, "bar") + [("notes.png", b"not a picture")], _files(3, "ring")]
    own = data.decode_pictures(("bars", "rings"), files)
    assert own.counts == (6, 3)
    assert own.images[0].shape == (6, 3, data.OWN_PX, data.OWN_PX) and own.images[0].dtype == torch.uint8
    assert len(own.problems) == 1 and "notes.png" in own.problems[0] and "bars" in own.problems[0]
    fs = data.own_split(own, seed=0)
    # 6 pictures: 1 validation, 1 test, 4 training; 3 pictures: 1 validation, no test, 2 training
    assert torch.bincount(fs.train_y).tolist() == [4, 2]
    assert torch.bincount(fs.val_y).tolist() == [1, 1]
    assert fs.test_y.tolist() == [0]
    assert sorted(torch.cat([fs.train_ids, fs.val_ids, fs.test_ids]).tolist()) == list(range(9))
    assert fs.bank == f"own:{own.fingerprint}"
    assert data.decode_pictures(("bars", "rings"), files).fingerprint == own.fingerprint  # same pictures, same key


def test_a_class_left_with_one_picture_is_refused():
    with pytest.raises(ValueError, match="'rings' has 1 usable pictures"):
        data.decode_pictures(("bars", "rings"), [_files(3), _files(1, "ring") + [("x.jpg", b"")]])


def test_too_many_pictures_are_refused():
    with pytest.raises(ValueError, match="more than this page keeps"):
        data.decode_pictures(("a", "b"), [[("x.png", b"")] * data.MAX_OWN_IMAGES, [("y.png", b"")] * 2])


def test_a_new_picture_is_prepared_like_the_training_images():
    light = Image.new("RGB", (90, 60), "white")
    light.paste((0, 0, 0), (30, 10, 60, 50))  # a dark object on a light background
    grey = data.as_data_picture(light, "fashion", (1, 28, 28))
    assert grey.shape == (1, 28, 28) and grey.float().mean() < 127  # inverted: light object on black
    assert data.as_data_picture(light, "cifar10", (3, 32, 32)).shape == (3, 32, 32)
    assert data.as_data_picture(light, "own", (3, 160, 160)).shape == (3, 160, 160)


def test_pictures_round_trip_and_grid(draw):
    assert torch.equal(data.square(data.to_picture(draw.train_x[0]).convert("RGB"), 28)[0], draw.train_x[0][0])
    grid = data.sample_grid(draw, per_class=4)
    assert grid.shape == (3 * 28, 4 * 28, 3)
    assert np.array_equal(grid[:28, :28, 0], draw.train_x[draw.train_y == 0][0][0].numpy())


def test_shapes_set_is_deterministic():
    assert torch.equal(shapes_set(seed=1).train_x, shapes_set(seed=1).train_x)
