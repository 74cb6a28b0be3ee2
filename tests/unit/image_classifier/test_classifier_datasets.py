"""lib/image_classifier/datasets.py: loaders on real offline data, settings, stats, the browsing grid."""
import numpy as np
import pytest
import torch

from lib.common.settings import check, spec
from lib.image_classifier import datasets as D


def test_fashion_offline_shapes_and_labels():
    data = D.load("fashion")
    assert data.train_x.shape == (60_000, 1, 28, 28) and data.test_x.shape == (10_000, 1, 28, 28)
    assert data.train_x.dtype == torch.uint8
    assert torch.bincount(data.train_y).tolist() == [6000] * 10  # Fashion-MNIST is balanced
    assert data.classes[9] == "Ankle boot"


def test_mnist_subset_split_is_stratified_enough_and_seeded():
    a, b = D.load_mnist_subset(), D.load_mnist_subset(D.DataConfig(seed=1))
    assert len(a.train_y) == 4000 and len(a.test_y) == 1000 and a.shape == (1, 28, 28)
    assert set(a.test_y.tolist()) == set(range(10))  # shuffled before the split (the file is sorted by class)
    assert not torch.equal(a.test_y, b.test_y)


def test_digits_rescaled_to_0_255(digits):
    assert digits.shape == (1, 8, 8) and int(digits.train_x.max()) == 255
    assert len(digits.train_y) + len(digits.test_y) == 1797


def test_unknown_and_offline_torchvision_give_messages(tmp_path):
    with pytest.raises(ValueError, match="Unknown data set"):
        D.load("nope")
    with pytest.raises(ValueError, match="not downloaded yet.*Offline you can use"):
        D.load("tv_cifar10", root=tmp_path, allow_download=False)


def test_settings_offer_every_source_subset_and_invert_choice():
    cfg = D.DataConfig()
    check(cfg)
    assert spec(cfg, "dataset").options == tuple(D.SOURCES) and cfg.dataset == "fashion"
    assert spec(cfg, "subset").options == ("all", "20000", "5000", "2000", "1000", "300")  # ids: link values
    assert (spec(cfg, "per_class").lo, spec(cfg, "per_class").hi, cfg.per_class) == (4, 16, 8)
    assert spec(cfg, "invert").options == ("auto", "yes", "no")


@pytest.mark.parametrize("label, limit", [("all", None), ("20000", 20_000), ("300", 300)])
def test_subset_limit(label, limit):
    assert D.subset_limit(label) == limit


def test_unknown_subset_gives_a_message():
    with pytest.raises(ValueError, match="training-image count"):
        D.subset_limit("lots")


def test_stats_match_numpy(digits):
    s = D.stats(digits)
    px = digits.train_x.numpy() / 255
    assert s.mean[0] == pytest.approx(px.mean(), rel=1e-5) and s.std[0] == pytest.approx(px.std(ddof=1), rel=1e-4)
    assert sum(s.train_counts) == len(digits.train_y)


def test_samples_per_class_and_mosaic(digits):
    idx = D.samples_per_class(digits, 3)
    assert idx.shape == (10, 3)
    assert all((digits.train_y[idx[c]] == c).all() for c in range(10))
    grid = D.mosaic(digits.train_x[idx])
    assert grid.shape == (10 * 9, 3 * 9)
    assert np.array_equal(grid[9:17, 9:17], digits.train_x[idx[1, 1], 0].numpy())


def test_sample_grid_is_the_mosaic_of_the_samples_and_rows_are_centred(digits):
    idx = D.samples_per_class(digits, 4, seed=2)
    assert np.array_equal(D.sample_grid(digits, 4, seed=2), D.mosaic(digits.train_x[idx]))
    assert D.row_centres(digits)[:3] == [4.5, 13.5, 22.5]  # 8-pixel rows plus a 1-pixel gap


def test_display_image_grey_and_colour():
    grey = torch.arange(6, dtype=torch.uint8).reshape(1, 2, 3)
    assert D.display_image(grey).tolist() == [[0, 1, 2], [3, 4, 5]]
    colour = torch.arange(12, dtype=torch.uint8).reshape(3, 2, 2)
    out = D.display_image(colour)
    assert out.shape == (2, 2, 3) and out[0, 1].tolist() == [1, 5, 9]  # (C, H, W) -> (H, W, C)


def test_test_label(digits):
    assert D.DIGIT_CLASSES[int(digits.test_y[3])] == digits.test_label(3)
