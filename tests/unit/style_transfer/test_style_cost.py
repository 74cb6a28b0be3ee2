"""lib/style_transfer/cost.py: memory estimate and refusal, FLOPs, time scaling."""
from dataclasses import replace

import pytest

from lib.style_transfer import cost as C
from lib.style_transfer.config import StyleConfig


def test_size_beyond_budget_is_refused_with_largest_that_fits():
    budget = C.estimate_bytes((512, 512), "conv5_1")
    C.check_size(512, 1.0, "conv5_1", budget)
    assert C.largest_size(1.0, "conv5_1", budget) == 512
    with pytest.raises(ValueError, match="largest size that fits is 512 px"):
        C.check_size(1024, 1.0, "conv5_1", budget)


def test_run_bytes_is_the_full_size_estimate():
    cfg = StyleConfig(size=256)
    assert C.run_bytes(cfg, 2.0) == C.estimate_bytes((128, 256), "conv5_1")
    assert C.run_bytes(replace(cfg, content_layer="conv5_4"), 1.0) > C.run_bytes(cfg, 1.0)  # deeper cut


def test_activation_elements_hand_count():
    # 32x32 up to conv1_2: input 3, conv1_1 64, relu1_1 64, conv1_2 64 channels of 32*32
    assert C.activation_elements((32, 32), "conv1_2") == (3 + 64 * 3) * 32 * 32


def test_step_flops_match_the_issue():
    # 256 px, up to conv5_1: about 48 GFLOP forward, twice that with the backward pass
    assert C.step_flops((256, 256), "conv5_1") / 1e9 == pytest.approx(97, rel=0.05)


def test_time_estimate_scales_with_pixels():
    cfg = replace(StyleConfig(size=256), coarse_to_fine=False, steps=10)
    assert C.estimate_seconds(0.1, 128, cfg) == pytest.approx(10 * 0.1 * 4)
    coarse = replace(cfg, coarse_to_fine=True, coarse_steps=8)
    assert C.estimate_seconds(0.1, 128, coarse) == pytest.approx(10 * 0.1 * 4 + 8 * 0.1)  # half size: 1/4 the pixels


def test_measured_step_is_positive(features):
    assert 0 < C.measure_step_seconds(features, StyleConfig(), "cpu", size=32, repeats=1) < 10
