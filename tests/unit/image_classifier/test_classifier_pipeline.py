"""lib/image_classifier/pipeline.py: the classic and the fast pipeline agree; batches; a learner's picture."""
import pytest
import torch
from PIL import Image

from lib.image_classifier import pipeline as P


def test_classic_and_fast_pipelines_give_the_same_numbers(digits):
    """ToTensor + Normalize(0.5, 0.5) on a PIL image == the fast tensor conversion, split too."""
    train, valid = P.classic_loaders(digits, batch_size=16, val_fraction=0.2, seed=0)
    assert len(train.sampler) + len(valid.sampler) == len(digits.train_y)
    prepared = P.prepare(digits, torch.device("cpu"), 0.2, 0)
    assert sorted(train.sampler.indices) == sorted(P.split_indices(len(digits.train_y), 0.2, 0)[0].tolist())
    ds = P.PILDataset(digits.train_x, digits.train_y, P.classic_transform(1))
    x0, y0 = ds[5]
    torch.testing.assert_close(x0, P.to_input(digits.train_x[5:6], torch.device("cpu"))[0])
    assert len(prepared.train_y) == len(train.sampler) and prepared.train_x.dtype == torch.uint8
    x, _ = next(P.batches(prepared.train_x, prepared.train_y, 16, None))  # batches are normalised as drawn
    torch.testing.assert_close(x, P.to_input(prepared.train_x[:16], torch.device("cpu")))
    assert x.min() >= -1 and x.max() <= 1


def test_prepare_limits_and_takes_a_device_name(digits):
    prepared = P.prepare(digits, "cpu", 0.2, 0, limit=300)
    assert prepared.n_train == 300 and len(prepared.val_y) == 75 and prepared.n_test == len(digits.test_y)
    assert prepared.train_x.device == torch.device("cpu")


def test_bad_validation_share():
    with pytest.raises(ValueError, match="validation share"):
        P.split_indices(10, 1.0, 0)


def test_batches_cover_everything_once():
    x, y = torch.arange(10).float().unsqueeze(1), torch.arange(10)
    got = torch.cat([yb for _, yb in P.batches(x, y, 3, torch.Generator().manual_seed(0))])
    assert sorted(got.tolist()) == list(range(10)) and got.tolist() != list(range(10))


def test_image_to_pixels_inverts_light_background():
    img = Image.new("RGB", (40, 40), "white")
    img.paste((0, 0, 0), (15, 5, 25, 35))  # a dark vertical bar: a "1" on paper
    px = P.image_to_pixels(img, (1, 28, 28))
    assert px.shape == (1, 1, 28, 28) and px[0, 0, 14, 14] > 200 and px[0, 0, 0, 0] < 30
    assert P.image_to_pixels(img, (3, 32, 32), invert=False).shape == (1, 3, 32, 32)
    with pytest.raises(ValueError, match="blank"):
        P.image_to_pixels(Image.new("RGB", (20, 20), "white"), (1, 28, 28))
