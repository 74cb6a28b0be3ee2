"""lib/datasets.py: loaders on real offline data, stats, both pipelines agreeing, code panels."""
import runpy

import numpy as np
import pytest
import torch
from PIL import Image

from lib import datasets as D


@pytest.fixture(scope="module")
def digits() -> D.ImageSet:
    return D.load("digits8")


def test_fashion_offline_shapes_and_labels():
    data = D.load("fashion")
    assert data.train_x.shape == (60_000, 1, 28, 28) and data.test_x.shape == (10_000, 1, 28, 28)
    assert data.train_x.dtype == torch.uint8
    assert torch.bincount(data.train_y).tolist() == [6000] * 10  # Fashion-MNIST is balanced
    assert data.classes[9] == "Ankle boot"


def test_read_idx_header(tmp_path):
    import gzip
    raw = bytes([0, 0, 8, 3]) + (2).to_bytes(4, "big") + (2).to_bytes(4, "big") + (3).to_bytes(4, "big") + bytes(range(12))
    (tmp_path / "x.gz").write_bytes(gzip.compress(raw))
    assert D.read_idx(tmp_path / "x.gz").tolist() == np.arange(12).reshape(2, 2, 3).tolist()


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


def test_classic_and_fast_pipelines_give_the_same_numbers(digits):
    """ToTensor + Normalize(0.5, 0.5) on a PIL image == the fast tensor conversion, split too."""
    train, valid = D.classic_loaders(digits, batch_size=16, val_fraction=0.2, seed=0)
    assert len(train.sampler) + len(valid.sampler) == len(digits.train_y)
    prepared = D.prepare(digits, torch.device("cpu"), 0.2, 0)
    assert sorted(train.sampler.indices) == sorted(D.split_indices(len(digits.train_y), 0.2, 0)[0].tolist())
    ds = D.PILDataset(digits.train_x, digits.train_y, D.classic_transform(1))
    x0, y0 = ds[5]
    torch.testing.assert_close(x0, D.to_input(digits.train_x[5:6], torch.device("cpu"))[0])
    assert len(prepared.train_y) == len(train.sampler) and prepared.train_x.dtype == torch.uint8
    x, _ = next(D.batches(prepared.train_x, prepared.train_y, 16, None))  # batches are normalised as drawn
    torch.testing.assert_close(x, D.to_input(prepared.train_x[:16], torch.device("cpu")))
    assert x.min() >= -1 and x.max() <= 1


def test_batches_cover_everything_once():
    x, y = torch.arange(10).float().unsqueeze(1), torch.arange(10)
    got = torch.cat([yb for _, yb in D.batches(x, y, 3, torch.Generator().manual_seed(0))])
    assert sorted(got.tolist()) == list(range(10)) and got.tolist() != list(range(10))


def test_image_to_pixels_inverts_light_background():
    img = Image.new("RGB", (40, 40), "white")
    img.paste((0, 0, 0), (15, 5, 25, 35))  # a dark vertical bar: a "1" on paper
    px = D.image_to_pixels(img, (1, 28, 28))
    assert px.shape == (1, 1, 28, 28) and px[0, 0, 14, 14] > 200 and px[0, 0, 0, 0] < 30
    assert D.image_to_pixels(img, (3, 32, 32), invert=False).shape == (1, 3, 32, 32)
    with pytest.raises(ValueError, match="blank"):
        D.image_to_pixels(Image.new("RGB", (20, 20), "white"), (1, 28, 28))


@pytest.mark.parametrize("fn", [D.classic_code, D.fast_code])
def test_pipeline_code_runs_and_reproduces(fn, tmp_path, capsys, digits):
    path = tmp_path / "pipe.py"
    path.write_text(fn("digits8", 32, 0.2))
    ns = runpy.run_path(str(path))
    assert torch.equal(ns["train_x"], digits.train_x) and torch.equal(ns["test_y"], digits.test_y)
    assert "torch.Size([32, 1, 8, 8])" in capsys.readouterr().out
