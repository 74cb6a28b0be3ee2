"""lib/augment/normalise.py: ToDtype + Normalize match the formula; the statistics before and after agree."""
from __future__ import annotations

import pytest
import torch

from lib.augment import normalise


def test_normalise_matches_formula_and_stats(make_image):
    x01 = normalise.to_float(make_image())
    torch.testing.assert_close(x01, make_image().float() / 255)
    mean, std = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)
    out = normalise.normalise(x01, mean, std)
    torch.testing.assert_close(out, (x01 - torch.tensor(mean)[:, None, None]) / torch.tensor(std)[:, None, None])
    (m0, s0), (m1, s1) = normalise.channel_stats(x01), normalise.channel_stats(out)
    for c in range(3):
        assert m1[c] == pytest.approx((m0[c] - mean[c]) / std[c], abs=1e-5)
        assert s1[c] == pytest.approx(s0[c] / std[c], abs=1e-5)


def test_own_statistics_give_mean_zero_std_one(make_image):
    x01 = normalise.to_float(make_image())
    m, s = normalise.channel_stats(normalise.normalise(x01, *normalise.channel_stats(x01)))
    assert m == pytest.approx([0, 0, 0], abs=1e-5) and s == pytest.approx([1, 1, 1], abs=1e-4)


def test_normalise_refuses_zero_std(make_image):
    with pytest.raises(ValueError, match="positive"):
        normalise.normalise(normalise.to_float(make_image()), (0.5,) * 3, (0.5, 0.0, 0.5))


def test_histograms_count_every_pixel(make_image):
    x = normalise.to_float(make_image())
    centres, counts = normalise.channel_histograms(x, 32)
    assert centres.shape == (32,) and counts.shape == (3, 32)
    assert counts.sum(1).tolist() == [x[0].numel()] * 3


@pytest.mark.parametrize("preset", list(normalise.NORMALISE_PRESETS))
def test_preset_stats(preset, make_image):
    x01 = normalise.to_float(make_image())
    mean, std = normalise.preset_stats(preset, x01)
    assert len(mean) == len(std) == 3 and isinstance(mean, tuple) and isinstance(std, tuple)
    if normalise.NORMALISE_PRESETS[preset] is None:  # the image's own statistics
        assert list(mean) == normalise.channel_stats(x01)[0] and list(std) == normalise.channel_stats(x01)[1]
    else:
        assert (mean, std) == normalise.NORMALISE_PRESETS[preset]


def test_is_rgb(make_image):
    assert normalise.is_rgb(make_image())
    assert not normalise.is_rgb(make_image()[:1])  # Grayscale(num_output_channels=1)
